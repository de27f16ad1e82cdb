import { z } from "zod/v4";
import { durationMs } from "../../core/index.js";
import { agentName, limit } from "./common.js";
import { TASK_STATUSES } from "./tasks.js";

/** `1d`, `12h`, `90m` ago, or an ISO 8601 date or time: milliseconds since the epoch. */
const when = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const ago = durationMs(value);
    if (ago !== null) return Date.now() - ago;
    const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
    if (Number.isFinite(at)) return at;
    ctx.addIssue({ code: "custom", message: "expected a duration like 1d, 12h or 90m, or a date like 2026-12-01" });
    return z.NEVER;
  });

export const historyTaskQuery = z
  .object({
    agent: agentName.optional(),
    status: z
      .string()
      .max(200)
      .transform((value, ctx) => {
        const statuses = value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = statuses.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s));
        if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `expected statuses among ${TASK_STATUSES.join(", ")}, comma-separated` });
        return statuses;
      })
      .optional()
      .describe("comma-separated statuses"),
    workflow: z.string().min(1).max(200).optional().describe("a workflow's name or an execution id"),
    since: when.optional().describe("submitted since: a duration ago (1d, 12h, 90m) or a date"),
    until: when.optional().describe("submitted before: a duration ago or a date"),
    search: z.string().trim().min(1).max(500).optional().describe("full-text search over task text, answer, reason and output; matches in the task text first"),
    limit,
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_=-]+$/, "expected a cursor from a previous page")
      .optional(),
  })
  .strict();

export const historyTask = z.object({
  id: z.string(),
  agent: z.string(),
  session: z.string().nullable(),
  status: z.string(),
  exitCode: z.number().nullable(),
  reason: z.string().nullable(),
  task: z.string(),
  submittedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  attempts: z.number(),
  workflow: z.string().nullable(),
  step: z.string().nullable(),
  executionId: z.string().nullable(),
  costUsd: z.number().nullable(),
  submittedBy: z.string().nullable(),
  snippet: z.string().optional().describe("searches only: the passage that matched, the matched words between « and »"),
});

export const historyTaskDetail = historyTask.extend({
  host: z.string().nullable(),
  output: z.string().describe("the recorded output's start and end"),
  outputChars: z.number(),
  answer: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  changedFiles: z.array(z.string()).nullable(),
  castFile: z.string().nullable(),
  submittedVia: z.string().nullable(),
});

export const historyTaskPage = z.object({
  tasks: z.array(historyTask),
  next: z.string().nullable().describe("pass as `cursor` for the next page; null on the last"),
});

export const throughputQuery = z
  .object({
    minutes: z.coerce
      .number()
      .int()
      .min(5)
      .max(1440)
      .default(60)
      .describe("how far back, in minutes (buckets of a minute up to 3 hours, of 15 minutes beyond)"),
  })
  .strict();

export const throughput = z.object({
  bucketMs: z.number(),
  since: z.string(),
  buckets: z.array(
    z.object({
      at: z.string().describe("the bucket's start"),
      completed: z.number(),
      failed: z.number().describe("failed or timed out"),
      cancelled: z.number().describe("cancelled or refused"),
      meanWaitMs: z.number().nullable().describe("mean time from submission to start of the bucket's tasks that started"),
    }),
  ),
});
export type Throughput = z.infer<typeof throughput>;

export type HistoryTaskQuery = Omit<z.infer<typeof historyTaskQuery>, "status"> & { statuses?: string[] };
export type HistoryTaskPage = z.infer<typeof historyTaskPage>;
export type HistoryTaskDetail = z.infer<typeof historyTaskDetail>;

/** The durable history as the API reads it; the daemon passes one in (api/ does not open stores itself). */
export interface HistoryReader {
  tasks(query: HistoryTaskQuery): Promise<HistoryTaskPage>;
  /** Finished tasks per bucket over the last `minutes`. */
  throughput(minutes: number): Promise<Throughput>;
  /** One task's record; null when the history has none. */
  task(id: string): Promise<HistoryTaskDetail | null>;
  close(): Promise<void>;
}
