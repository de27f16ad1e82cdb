import { z } from "zod";
import { rawRunBudgetSchema } from "../core/index.js";

/**
 * The shape of a workflow file as written (snake_case, shorthands allowed).
 * parse.ts checks each step on its own so one malformed step does not hide
 * the problems of the others.
 */

export const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const text = z.string().trim().min(1, "must not be empty");
/** YAML turns `default: 3` or `when: true` into numbers and booleans; the engine works on strings. */
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

export const paramSchema = z.union([
  scalar,
  z
    .object({
      default: scalar.optional(),
      required: z.boolean().optional(),
      description: z.string().optional(),
    })
    .strict(),
]);

export const workflowSchema = z
  .object({
    name: z.string().regex(WORKFLOW_NAME, "must be letters, digits, '.', '_' or '-'"),
    description: z.string().optional(),
    params: z.record(z.unknown()).nullish(),
    /** What one run may spend: `{ usd, tokens }` (core/config/budget-rules.ts). */
    budget: rawRunBudgetSchema.optional(),
    steps: z.array(z.unknown()).min(1, "a workflow needs at least one step"),
  })
  .strict();

const rollbackSchema = z.object({ agent: text.optional(), route: text.optional(), task: text }).strict();

/** `escalate_after`: 30m, 2h, 1d, 45s, or seconds; checked again (to milliseconds) in normalize.ts. */
const duration = z.union([z.string(), z.number()]);

const questionSchema = z
  .object({
    name: z.string().regex(PARAM_NAME, "must be letters, digits, '_' or '-', starting with a letter or '_'"),
    prompt: text,
    default: scalar.optional(),
    choices: z.array(scalar).min(1, "give at least one choice").optional(),
    pattern: z.string().min(1).optional(),
    required: z.boolean().optional(),
  })
  .strict();

const inputSchema = z
  .object({
    text: z.string().optional(),
    questions: z.array(questionSchema).min(1, "an input step asks at least one question"),
  })
  .strict();

export const stepSchema = z
  .object({
    id: z.string().regex(STEP_ID, "must start with a letter or digit, then letters, digits, '_' or '-'"),
    agent: text.optional(),
    route: text.optional(),
    /** Labels the agent must have (core/hosts/labels.ts), like `submit --needs`; checked in normalize.ts. */
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    task: text.optional(),
    approval: text.optional(),
    timeout: z.number().int().positive().optional(),
    retries: z.number().int().min(0).max(100).optional(),
    depends_on: z.union([z.string(), z.array(z.string())]).optional(),
    gate: text.optional(),
    when: z
      .union([text, z.boolean()])
      .transform((v) => String(v))
      .optional(),
    on_failure: z.enum(["fail", "continue", "rollback"]).optional(),
    rollback: rollbackSchema.optional(),
    input: inputSchema.optional(),
    escalate_after: duration.optional(),
    output_schema: z.union([text, z.record(z.unknown())]).optional(),
    schema_retries: z.number().int().min(0).max(10).optional(),
  })
  .strict();

export type RawQuestion = z.infer<typeof questionSchema>;
export type RawStep = z.infer<typeof stepSchema>;
export type RawWorkflow = z.infer<typeof workflowSchema>;

export function joinPath(...parts: readonly (string | number)[]): string {
  return parts.filter((p) => p !== "").join(".");
}

/** One line per problem, `path: message`, unknown keys named one by one. */
export function formatIssues(error: z.ZodError, base: string): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = joinPath(base, ...issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) lines.push(`${joinPath(path, key)}: unknown field`);
    } else if (issue.code === "invalid_type" && issue.received === "undefined") {
      lines.push(`${path}: required`);
    } else if (issue.code === "invalid_union") {
      lines.push(`${path}: ${unionMessage(issue.unionErrors, issue.path.length)}`);
    } else {
      lines.push(`${path}: ${issue.message}`);
    }
  }
  return lines;
}

/** Zod says "Invalid input" for a failed union; name the closest alternative's problem instead. */
function unionMessage(errors: readonly z.ZodError[], at: number): string {
  const deepest = [...errors].sort((a, b) => depth(b) - depth(a))[0]?.issues[0];
  if (deepest === undefined) return "invalid value";
  const rest = deepest.path.slice(at);
  const where = rest.length > 0 ? `${rest.join(".")}: ` : "";
  return deepest.code === "unrecognized_keys" ? `${where}unknown field ${deepest.keys.join(", ")}` : `${where}${deepest.message}`;
}

function depth(error: z.ZodError): number {
  return Math.max(0, ...error.issues.map((i) => i.path.length));
}
