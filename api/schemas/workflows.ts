import { z } from "zod/v4";
import { executionId, stepId, waitSeconds } from "./common.js";

/** A workflow is at most this large as YAML text or JSON (the YAML parser's own alias limits apply too). */
const MAX_WORKFLOW_CHARS = 512 * 1024;

const paramValue = z.union([z.string().max(65_536), z.number(), z.boolean()]);

const source = {
  example: z
    .string()
    // A listed name: the file's name without .yaml, such as deploy-app or deploy-app.shell (never a path: no slash, no leading dot, no "..").
    .regex(/^[a-z0-9][a-z0-9-]{0,63}(?:\.[a-z0-9][a-z0-9-]{0,31})?$/, "expected the name of a shipped example such as deploy-app or deploy-app.shell")
    .optional()
    .describe("a shipped example by name (GET /v1/workflows/examples)"),
  yaml: z.string().min(1).max(MAX_WORKFLOW_CHARS).optional().describe("the workflow as YAML text"),
  document: z.record(z.string(), z.unknown()).optional().describe("the workflow as an object shaped like the YAML (`depends_on`, `on_failure`, …)"),
};

function exactlyOneSource(value: { example?: unknown; yaml?: unknown; document?: unknown }, ctx: z.RefinementCtx): void {
  const given = ["example", "yaml", "document"].filter((key) => value[key as keyof typeof value] !== undefined);
  if (given.length !== 1)
    ctx.addIssue({
      code: "custom",
      message: `give exactly one of example, yaml or document (got ${given.length === 0 ? "none" : given.join(", ")})`,
      path: [],
    });
}

export const validateBody = z.object({ yaml: source.yaml, document: source.document, example: source.example }).strict().superRefine(exactlyOneSource);
export const runBody = z
  .object({
    ...source,
    params: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "expected a param name"), paramValue)
      .optional()
      .describe("workflow params; values become strings"),
  })
  .strict()
  .superRefine(exactlyOneSource);
export type WorkflowSource = { example?: string; yaml?: string; document?: Record<string, unknown> };

export const validated = z.object({
  valid: z.literal(true),
  workflow: z.string(),
  steps: z.array(z.string()),
  params: z.array(z.object({ name: z.string(), required: z.boolean(), default: z.string().optional(), description: z.string().optional() })),
});

export const example = z.object({ name: z.string(), workflow: z.string(), description: z.string().optional(), params: z.array(z.string()) });

const stepState = z.object({
  status: z.string(),
  attempts: z.number(),
  taskId: z.string().nullable(),
  agent: z.string().nullable(),
  exitCode: z.number().nullable(),
  output: z.string(),
  reason: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** The workflow as the execution runs it: its steps in file order, each with what it waits for (the DAG). */
const definition = z.object({
  name: z.string(),
  steps: z.array(z.string()),
  graph: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(["task", "approval", "input"]),
      dependsOn: z.array(z.string()),
      agent: z.string().nullable().describe("a task step's named agent; null when the supervisor routes it, and for approval and input steps"),
    }),
  ),
});

export const executionState = z.object({
  id: z.string(),
  workflow: z.string(),
  definition,
  params: z.record(z.string(), z.string()),
  status: z.enum(["running", "completed", "failed", "cancelled"]),
  steps: z.record(z.string(), stepState),
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  budget: z
    .object({
      spent: z.object({ usd: z.number(), tokens: z.number() }),
      counted: z.array(z.string()),
      raised: z.object({ usd: z.number().optional(), tokens: z.number().optional() }),
      once: z.number(),
      paused: z.object({ item: z.string(), since: z.string() }).nullable().describe("set while the run waits at its budget: the inbox item that asks"),
    })
    .optional()
    .describe("runs of a workflow with `budget:`: what its tasks spent"),
});

export const executionSummary = z.object({
  id: z.string(),
  workflow: z.string(),
  status: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  waitingApproval: z.array(z.string()),
});

export const executionParams = z.object({ id: executionId }).strict();
export const stepParams = z.object({ id: executionId, step: stepId }).strict();
export const executionQuery = z.object({ wait: waitSeconds.optional() }).strict();
export const reasonBody = z.object({ reason: z.string().min(1).max(2000).optional() }).strict();
