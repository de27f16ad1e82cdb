/**
 * A task record from the ledger as a row of the history store: text fields
 * redacted, the output kept as its first and last 16 K characters (the whole
 * of it stays in the output file), the result's rarer fields as JSON.
 */
import type { Redactor, TaskRecord } from "../../core/index.js";
import type { TasksTable } from "./schema.js";

export const OUTPUT_EDGE_CHARS = 16 * 1024;

export type TaskRow = Omit<TasksTable, "seq">;

/** What the writer knows of a task besides its record. */
export interface TaskContext {
  readonly host?: string | null;
  readonly submittedBy?: string | null;
  readonly submittedVia?: string | null;
}

const EXTRA_KEYS = [
  "diffStat",
  "diffBytes",
  "commit",
  "gateOutput",
  "gateRetries",
  "outputError",
  "rateLimitResetAt",
  "fresh",
  "gate",
  "gateRetriesAllowed",
  "autoCommit",
  "cancelRequested",
] as const;

/**
 * Text as both databases can hold it: redacted, and with NUL replaced by U+FFFD
 * (PostgreSQL's text type refuses NUL bytes, which a program may print).
 */
export function storable(redact: Redactor): Redactor {
  return (text) => redact(text).replace(/\0/g, "\uFFFD");
}

export function taskRow(record: TaskRecord, redactor: Redactor, context: TaskContext = {}, now = Date.now()): TaskRow {
  const redact = storable(redactor);
  const output = redact(record.output ?? "");
  const head = output.slice(0, OUTPUT_EDGE_CHARS);
  const tail = output.length > OUTPUT_EDGE_CHARS ? output.slice(Math.max(OUTPUT_EDGE_CHARS, output.length - OUTPUT_EDGE_CHARS)) : "";
  const extra: Record<string, unknown> = {};
  for (const key of EXTRA_KEYS) {
    const value = record[key];
    if (value !== undefined && value !== null && value !== false && value !== "") extra[key] = typeof value === "string" ? redact(value) : value;
  }
  return {
    id: record.id,
    agent: record.agent,
    session: record.session,
    host: context.host ?? null,
    status: record.status,
    exit_code: record.exitCode,
    reason: record.reason ? redact(record.reason) : null,
    task: redact(record.task ?? ""),
    routed_by: record.routedBy || null,
    priority: record.priority ?? null,
    timeout_sec: record.timeoutSec ?? null,
    idempotency_key: record.idempotencyKey,
    submitted_at: ms(record.submittedAt) ?? now,
    started_at: ms(record.startedAt),
    finished_at: ms(record.finishedAt),
    duration_ms: record.durationMs,
    attempts: record.attempts ?? 0,
    output_head: head,
    output_tail: tail,
    output_chars: output.length,
    output_file: record.outputFile,
    answer: record.answer ? redact(record.answer) : null,
    cost_usd: record.costUsd ?? null,
    input_tokens: record.inputTokens ?? null,
    output_tokens: record.outputTokens ?? null,
    turns: record.turns ?? null,
    conversation_id: record.agentSessionId ?? null,
    execution_id: null,
    workflow: null,
    step: null,
    changed_files: record.changedFiles ? JSON.stringify(record.changedFiles) : null,
    memory_entries: record.memoryEntries ? JSON.stringify(record.memoryEntries) : null,
    cast_file: (record as { castFile?: string }).castFile ?? null,
    submitted_by: context.submittedBy ?? null,
    submitted_via: context.submittedVia ?? null,
    extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
    updated_at: now,
  };
}

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
}
