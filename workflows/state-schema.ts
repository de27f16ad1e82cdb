import { z } from "zod";
import { ConfigError } from "../core/index.js";
import { EXECUTION_STATUSES, RUN_STATUSES, STEP_STATUSES, type ExecutionState } from "./types.js";

/**
 * What is read back from Redis is checked here, at the edge, so the engine
 * never works on a record some other version (or hand) wrote differently.
 */

const str = z.string();
const nullableStr = z.string().nullable();
const policy = z.enum(["fail", "continue", "rollback"]);
const target = { agent: str.optional(), route: str.optional() };

const stepBase = {
  id: str,
  dependsOn: z.array(str),
  when: str.optional(),
  onFailure: policy,
};

const step = z.discriminatedUnion("kind", [
  z.object({
    ...stepBase,
    ...target,
    kind: z.literal("task"),
    needs: z.array(str).optional(),
    task: str,
    timeoutSec: z.number().optional(),
    retries: z.number().int().min(0),
    gate: str.optional(),
    rollback: z.object({ ...target, task: str }).optional(),
    outputSchema: z.object({ file: str, schema: z.record(z.unknown()) }).optional(),
    // Executions stored before output_schema existed have none.
    schemaRetries: z.number().int().min(0).default(2),
  }),
  z.object({ ...stepBase, kind: z.literal("approval"), approval: str, escalateAfterMs: z.number().optional() }),
  z.object({
    ...stepBase,
    kind: z.literal("input"),
    text: str,
    questions: z.array(
      z.object({ name: str, prompt: str, default: str.optional(), choices: z.array(str).optional(), pattern: str.optional(), required: z.boolean() }),
    ),
    escalateAfterMs: z.number().optional(),
  }),
]);

const workflow = z.object({
  name: str,
  description: str.optional(),
  source: str,
  params: z.array(z.object({ name: str, required: z.boolean(), default: str.optional(), description: str.optional() })),
  steps: z.array(step),
  budget: z.object({ usd: z.number().optional(), tokens: z.number().optional() }).optional(),
});

const run = z.object({
  status: z.enum(RUN_STATUSES),
  taskId: nullableStr,
  exitCode: z.number().nullable(),
  output: str,
  startedAt: str,
  finishedAt: nullableStr,
});

const stepState = z.object({
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int().min(0),
  taskId: nullableStr,
  agent: nullableStr,
  exitCode: z.number().nullable(),
  output: str,
  task: nullableStr,
  startedAt: nullableStr,
  attemptStartedAt: nullableStr,
  finishedAt: nullableStr,
  reason: nullableStr,
  retryAt: nullableStr,
  skip: z.enum(["condition", "upstream"]).nullable(),
  gate: run.nullable(),
  rollback: run.nullable(),
  // Added with the inbox, input steps and output_schema; absent in executions stored before.
  inbox: nullableStr.default(null),
  answers: z.record(str).nullable().default(null),
  json: z.unknown().transform((v) => (v === undefined ? null : v)),
  fix: run.nullable().default(null),
  fixes: z.number().int().min(0).default(0),
  schemaErrors: nullableStr.default(null),
});

export const executionStateSchema: z.ZodType<ExecutionState, z.ZodTypeDef, unknown> = z.object({
  id: str,
  workflow: str,
  definition: workflow,
  params: z.record(str),
  status: z.enum(EXECUTION_STATUSES),
  steps: z.record(stepState),
  completionOrder: z.array(str),
  halt: z.object({ step: str, policy: z.enum(["fail", "rollback"]), reason: str }).nullable(),
  reason: nullableStr,
  createdAt: str,
  updatedAt: str,
  finishedAt: nullableStr,
  budget: z
    .object({
      spent: z.object({ usd: z.number(), tokens: z.number() }),
      counted: z.array(str),
      raised: z.object({ usd: z.number().optional(), tokens: z.number().optional() }),
      once: z.number().int().min(0),
      paused: z.object({ item: str, since: str }).nullable(),
    })
    .optional(),
});

/** Parses and checks one stored execution; `where` names it in the error (a Redis key). */
export function parseExecutionState(text: string, where: string): ExecutionState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`${where}: not valid JSON`], { cause, context: { key: where } });
  }
  const parsed = executionStateSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${where}: ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(problems, { context: { key: where } });
  }
  return parsed.data;
}
