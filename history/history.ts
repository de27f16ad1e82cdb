/**
 * The history as its readers use it (CLI, SDK, the API): listings with
 * filters, full-text search and a cursor, one task's full record with its
 * events, the audit log, and pruning past the retention.
 */
import { UsageError, type SwarmConfig } from "../core/index.js";
import { listAudit, pruneAudit, recordAudit, type AuditFilter } from "./store/audit.js";
import { eventsOfTask } from "./store/events.js";
import { getExecution } from "./store/executions.js";
import { openStore, type HistoryDb } from "./store/open.js";
import { searchTaskRows, type SearchCursor } from "./store/search.js";
import { targetOfHome, type StoreTarget } from "./store/target.js";
import { getTaskRow, listTaskRows, pruneTasks, type TaskFilter } from "./store/tasks.js";
import { throughputRows, type ThroughputRow } from "./store/throughput.js";
import { toAuditEntry, toEvent, toHistoryTask, toSummary, type AuditEntry, type HistoryEvent, type HistoryTask, type TaskSummary } from "./view.js";

export interface TaskQuery extends TaskFilter {
  /** Full-text search over task text, answer, reason and output: tasks whose own text holds every word first, then the rest; newest first within each. */
  readonly search?: string;
  readonly limit?: number;
  /** From a previous page's `next`. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass it as `cursor` for the next page; null on the last one. */
  readonly next: string | null;
}

export const MAX_PAGE = 1000;

export class History {
  private constructor(readonly store: HistoryDb) {}

  /** The history of the swarm in `home` (the store its daemon last used, else swarm.yaml's choice, else SQLite in the home). */
  static async open(home: string, config: Pick<SwarmConfig, "database"> | null = null): Promise<History> {
    return History.at(targetOfHome(home, config));
  }

  static async at(target: StoreTarget): Promise<History> {
    return new History(await openStore(target));
  }

  async tasks(query: TaskQuery = {}): Promise<Page<TaskSummary>> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new UsageError(`--limit: expected a whole number from 1 to ${MAX_PAGE}, got ${JSON.stringify(limit)}`);
    const { db, dialect } = this.store;
    if (query.search !== undefined) {
      const after = query.cursor ? decodeCursor(query.cursor, "search") : null;
      const rows = await searchTaskRows(db, dialect, query.search, query, limit + 1, after);
      const last = rows[limit - 1];
      return { items: rows.slice(0, limit).map(toSummary), next: rows.length > limit && last ? encodeCursor({ tier: last.tier, seq: last.seq }) : null };
    }
    const after = query.cursor ? decodeCursor(query.cursor, "keyset") : null;
    const rows = await listTaskRows(db, query, limit + 1, after ? { at: after.at, id: after.id } : null);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toSummary), next: rows.length > limit && last ? encodeCursor({ at: Number(last.submitted_at), id: last.id }) : null };
  }

  async task(id: string): Promise<HistoryTask | null> {
    const row = await getTaskRow(this.store.db, id);
    return row ? toHistoryTask(row) : null;
  }

  /**
   * Finished tasks per bucket of `bucketMs` from `since` to `until` (ms), every
   * bucket present (empty ones as zeros), oldest first.
   */
  async throughput(since: number, until: number, bucketMs: number): Promise<ThroughputRow[]> {
    if (!Number.isInteger(bucketMs) || bucketMs < 1000) throw new UsageError(`a bucket is a whole number of ms, at least 1000; got ${bucketMs}`);
    const first = since - (since % bucketMs);
    const found = new Map((await throughputRows(this.store.db, first, until, bucketMs)).map((row) => [row.at, row]));
    const buckets: ThroughputRow[] = [];
    for (let at = first; at < until; at += bucketMs) buckets.push(found.get(at) ?? { at, completed: 0, failed: 0, cancelled: 0, meanWaitMs: null });
    return buckets;
  }

  async events(taskId: string): Promise<HistoryEvent[]> {
    return (await eventsOfTask(this.store.db, taskId)).map(toEvent);
  }

  async execution(id: string): Promise<{ id: string; workflow: string; status: string; state: unknown } | null> {
    const row = await getExecution(this.store.db, id);
    return row ? { id: row.id, workflow: row.workflow, status: row.status, state: JSON.parse(row.state) as unknown } : null;
  }

  async audit(filter: AuditFilter = {}, limit = 100, cursor?: string): Promise<Page<AuditEntry>> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new UsageError(`--limit: expected a whole number from 1 to ${MAX_PAGE}, got ${JSON.stringify(limit)}`);
    const afterSeq = cursor ? decodeCursor(cursor, "seq").seq : null;
    const rows = await listAudit(this.store.db, filter, limit + 1, afterSeq);
    const page = rows.slice(0, limit).map(toAuditEntry);
    return { items: page, next: rows.length > limit && page.length > 0 ? encodeCursor({ seq: page.at(-1)!.seq }) : null };
  }

  /** An action on the history itself, in the audit log. */
  record(entry: { actor: string; via: string; action: string; target?: string | null; details?: Record<string, unknown> }): Promise<void> {
    return recordAudit(this.store.db, entry);
  }

  /** Forgets finished tasks, events and audit entries older than `before` (ms). */
  async prune(before: number): Promise<{ tasks: number; audit: number }> {
    const tasks = await pruneTasks(this.store.db, before);
    const audit = await pruneAudit(this.store.db, before);
    return { tasks, audit };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

type CursorKind = "search" | "keyset" | "seq";
type Cursor = SearchCursor | { at: number; id: string } | { seq: number };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string, kind: "search"): SearchCursor;
function decodeCursor(text: string, kind: "keyset"): { at: number; id: string };
function decodeCursor(text: string, kind: "seq"): { seq: number };
function decodeCursor(text: string, kind: CursorKind): Cursor {
  const bad = () =>
    new UsageError(`--cursor: not a cursor of this listing: ${JSON.stringify(text.slice(0, 40))}`, {
      hint: "Pass the `next` value printed with the previous page, with the same filters.",
    });
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw bad();
  }
  const whole = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
  if (kind === "search" && (raw.tier === 1 || raw.tier === 2) && whole(raw.seq)) return { tier: raw.tier, seq: raw.seq };
  if (kind === "keyset" && whole(raw.at) && typeof raw.id === "string") return { at: raw.at, id: raw.id };
  if (kind === "seq" && whole(raw.seq)) return { seq: raw.seq };
  throw bad();
}
