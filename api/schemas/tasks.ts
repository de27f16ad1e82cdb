import { z } from "zod/v4";
import { agentName, label, limit, taskId, waitSeconds } from "./common.js";

/** The largest task text accepted (bytes as UTF-16 code units ≈ characters): 1 MiB, the swarm's own default limit. */
export const MAX_TASK_CHARS = 1_048_576;

export const TASK_STATUSES = ["queued", "running", "completed", "failed", "timeout", "cancelled", "rejected"] as const;

export const submitBody = z
  .object({
    task: z
      .string()
      .min(1, "the task text is empty")
      .max(MAX_TASK_CHARS, `the task is larger than ${MAX_TASK_CHARS} characters`)
      .describe("for shell agents a bash command line; for agent programs the prompt"),
    agent: agentName.optional().describe("the agent to run it; without it the swarm routes the task"),
    needs: z
      .array(label)
      .min(1)
      .max(32)
      .optional()
      .describe("labels the agent must have (its own labels plus those all of its hosts share), like `submit --needs gpu,linux`"),
    timeout: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600)
      .optional()
      .describe("time limit in seconds (default: the agent's timeout)"),
    priority: z.number().int().min(1).max(2_097_151).optional().describe("1 is the most urgent; omitted: first come, first served"),
    fresh: z.boolean().optional().describe("agent programs: start a new conversation"),
    gate: z.string().min(1).max(4096).optional().describe("a command that must exit 0 in the agent's working tree before the task completes"),
    gateRetries: z.number().int().min(0).max(3).optional(),
    commit: z.boolean().optional().describe("worktree agents: commit what the task changed"),
  })
  .strict();
export type SubmitBody = z.infer<typeof submitBody>;

export const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "expected printable ASCII without spaces")
  .describe("submitting again with the same key returns the same task; the same key with a different body answers 409");

export const submitted = z.object({
  id: taskId,
  agent: z.string(),
  routedBy: z.string(),
  created: z.boolean().describe("false when the idempotency key named an existing task"),
});

export const taskView = z.object({
  id: z.string(),
  agent: z.string(),
  session: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  exitCode: z.number().int().nullable(),
  output: z.string(),
  outputFile: z.string().nullable(),
  submittedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  attempts: z.number().int(),
  reason: z.string().optional(),
  answer: z.string().optional(),
  costUsd: z.number().optional(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  turns: z.number().optional(),
  agentSessionId: z.string().optional(),
  changedFiles: z.array(z.string()).optional(),
  diffStat: z.string().optional(),
  diffBytes: z.number().int().optional().describe("Worktree agents: the size of the task's patch (`GET /v1/tasks/{id}/diff`); absent when it changed nothing"),
  commit: z.string().optional(),
  gateOutput: z.string().optional(),
  gateRetries: z.number().int().optional().describe("how many times a failing gate's output went back to the agent"),
  rateLimitResetAt: z.string().optional().describe("the program hit a rate or usage limit: when it lifts (ISO 8601), if the program said"),
  account: z.string().optional().describe("agents with `accounts:`: the account (login or key) the task ran with"),
  outputError: z.string().optional().describe("why the recorded output is incomplete (its file could not be written); the exit code stands"),
  memoryEntries: z.array(z.string()).optional().describe("ids of the memory entries put into the prompt"),
  host: z.string().optional().describe("swarms with `hosts:`: the host whose bridge ran the task"),
  castFile: z
    .string()
    .optional()
    .describe("the flight recorder's recording of the task's pane (asciicast v2), `<home>/output/<id>.cast`; play it with `claude-agent replay ID`"),
  task: z.string().optional().describe("the task text (on GET /v1/tasks/{id})"),
  routedBy: z.string().optional(),
  priority: z.number().optional(),
});

/** `POST /v1/tasks?wait=N`: the task's result (as `GET /v1/tasks/{id}/result`) with what the submission said. */
export const submittedTask = taskView.extend({
  routedBy: z.string(),
  created: z.boolean().describe("false when the idempotency key named an existing task"),
});

export const taskSummary = z.object({
  id: z.string(),
  agent: z.string(),
  status: z.enum(TASK_STATUSES),
  exitCode: z.number().int().nullable(),
  submittedAt: z.string(),
  finishedAt: z.string().nullable(),
  task: z.string().describe("the task text, cut to 200 characters"),
});

export const listQuery = z
  .object({
    agent: agentName.optional(),
    status: z.enum(TASK_STATUSES).optional(),
    limit,
    cursor: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, "expected a cursor from a previous page")
      .optional(),
  })
  .strict();

export const taskPage = z.object({
  tasks: z.array(taskSummary),
  nextCursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last"),
});

export const getQuery = z.object({ wait: waitSeconds.optional() }).strict();
export const submitQuery = z
  .object({
    wait: waitSeconds
      .optional()
      .describe(
        "submit and wait in one request: up to this many seconds for the task to end; the answer is then the task's result (201/200 once it ended, 202 while it still runs)",
      ),
  })
  .strict();
export const taskParams = z.object({ id: taskId }).strict();
export const cancelled = z.object({ id: z.string(), status: z.string(), cancelled: z.boolean().describe("false when the task had already ended") });
