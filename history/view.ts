/** Rows of the store as the CLI, the SDK and the API hand them out: camelCase, ISO times, JSON fields parsed. */
import type { Selectable } from "kysely";
import type { AuditTable, EventsTable } from "./store/schema.js";
import type { SearchHit } from "./store/search.js";
import type { StoredTask, TaskListRow } from "./store/tasks.js";

export interface TaskSummary {
  id: string;
  agent: string;
  session: string | null;
  status: string;
  exitCode: number | null;
  reason: string | null;
  task: string;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  attempts: number;
  workflow: string | null;
  step: string | null;
  executionId: string | null;
  costUsd: number | null;
  submittedBy: string | null;
  /** Searches only: the passage that matched, the words between « and ». */
  snippet?: string;
}

export interface HistoryTask extends TaskSummary {
  host: string | null;
  routedBy: string | null;
  priority: number | null;
  timeoutSec: number | null;
  idempotencyKey: string | null;
  /** The recorded output's start and end (the whole output is in `outputFile`). */
  output: string;
  outputChars: number;
  outputFile: string | null;
  answer: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  turns: number | null;
  conversationId: string | null;
  changedFiles: string[] | null;
  memoryEntries: string[] | null;
  /** The pane recording (asciicast) once the flight recorder writes one. */
  castFile: string | null;
  submittedVia: string | null;
  extra: Record<string, unknown>;
  recordedAt: string;
}

export interface HistoryEvent {
  id: string;
  type: string;
  at: string;
  data: Record<string, string>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  via: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

export const iso = (ms: number | null): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export function toSummary(row: TaskListRow | SearchHit): TaskSummary {
  return {
    id: row.id,
    agent: row.agent,
    session: row.session,
    status: row.status,
    exitCode: row.exit_code,
    reason: row.reason,
    task: row.task,
    submittedAt: iso(row.submitted_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    attempts: Number(row.attempts),
    workflow: row.workflow,
    step: row.step,
    executionId: row.execution_id,
    costUsd: row.cost_usd,
    submittedBy: row.submitted_by,
    ...("snippet" in row ? { snippet: row.snippet } : {}),
  };
}

export function toHistoryTask(row: StoredTask): HistoryTask {
  const omitted = row.output_chars - row.output_head.length - row.output_tail.length;
  const output =
    row.output_tail === ""
      ? row.output_head
      : `${row.output_head}\n… [${omitted} characters omitted; the whole output is in the output file] …\n${row.output_tail}`;
  return {
    ...toSummary(row),
    host: row.host,
    routedBy: row.routed_by,
    priority: row.priority,
    timeoutSec: row.timeout_sec,
    idempotencyKey: row.idempotency_key,
    output,
    outputChars: row.output_chars,
    outputFile: row.output_file,
    answer: row.answer,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    turns: row.turns,
    conversationId: row.conversation_id,
    changedFiles: parseList(row.changed_files),
    memoryEntries: parseList(row.memory_entries),
    castFile: row.cast_file,
    submittedVia: row.submitted_via,
    extra: row.extra ? (JSON.parse(row.extra) as Record<string, unknown>) : {},
    recordedAt: iso(row.updated_at)!,
  };
}

export function toEvent(row: Selectable<EventsTable>): HistoryEvent {
  return { id: row.id, type: row.type, at: iso(row.at)!, data: JSON.parse(row.data) as Record<string, string> };
}

export function toAuditEntry(row: Selectable<AuditTable>): AuditEntry {
  return {
    seq: Number(row.seq),
    at: iso(row.at)!,
    actor: row.actor,
    via: row.via,
    action: row.action,
    target: row.target,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}

function parseList(text: string | null): string[] | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : null;
  } catch {
    return null;
  }
}
