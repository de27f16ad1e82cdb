/**
 * The history store's tables as Kysely sees them (migrations.ts creates
 * them). Times are milliseconds since the epoch; lists and objects are JSON
 * text, so one shape serves SQLite and PostgreSQL.
 */
import type { Generated } from "kysely";

export interface TasksTable {
  seq: Generated<number>;
  id: string;
  agent: string;
  session: string | null;
  host: string | null;
  status: string;
  exit_code: number | null;
  reason: string | null;
  /** The task text, redacted. */
  task: string;
  routed_by: string | null;
  priority: number | null;
  timeout_sec: number | null;
  idempotency_key: string | null;
  submitted_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  attempts: number;
  /** The start of the recorded output (redacted); the rest is in `output_tail` and the output file. */
  output_head: string;
  output_tail: string;
  output_chars: number;
  output_file: string | null;
  answer: string | null;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  turns: number | null;
  conversation_id: string | null;
  execution_id: string | null;
  workflow: string | null;
  step: string | null;
  /** JSON list. */
  changed_files: string | null;
  /** JSON list of memory entry ids put into the prompt. */
  memory_entries: string | null;
  /** The task's pane recording (asciicast), once the flight recorder writes one. */
  cast_file: string | null;
  submitted_by: string | null;
  submitted_via: string | null;
  /** JSON object: the rest of the result (diffStat, commit, gateOutput, outputError, rateLimitResetAt, …). */
  extra: string | null;
  updated_at: number;
}

export interface EventsTable {
  /** The Redis stream id. */
  id: string;
  type: string;
  at: number;
  task_id: string | null;
  agent: string | null;
  execution_id: string | null;
  workflow: string | null;
  step: string | null;
  actor: string | null;
  via: string | null;
  /** JSON object: every field of the event. */
  data: string;
}

export interface ExecutionsTable {
  id: string;
  workflow: string;
  status: string;
  params: string;
  created_at: number;
  finished_at: number | null;
  updated_at: number;
  /** JSON: the whole stored execution, steps included. */
  state: string;
}

export interface AuditTable {
  seq: Generated<number>;
  /** Idempotency: the event id it came from, or a key of its own. */
  key: string;
  at: number;
  actor: string;
  via: string;
  action: string;
  target: string | null;
  details: string | null;
}

export interface MemoryTable {
  seq: Generated<number>;
  id: string;
  /** `swarm`, `agent` or `repo`. */
  scope: string;
  /** The agent's name or the repository's path; "" for the swarm. */
  scope_value: string;
  text: string;
  source: string;
  created_at: number;
  expires_at: number | null;
  created_by: string | null;
  created_via: string | null;
  /** float32 little-endian vector from the embeddings endpoint, or null. */
  embedding: Buffer | null;
  embedding_model: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface HistorySchema {
  tasks: TasksTable;
  events: EventsTable;
  executions: ExecutionsTable;
  audit: AuditTable;
  memory: MemoryTable;
  history_meta: MetaTable;
}
