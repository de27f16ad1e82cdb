import type { TaskRecord, TaskStatus } from "../core/index.js";
import type { SwarmClient } from "./client.js";
import { clientInternals } from "./internals.js";

export interface TaskListOptions {
  readonly agent?: string;
  readonly status?: TaskStatus;
  /** Page size, 1-500. */
  readonly limit?: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface TaskPage {
  readonly tasks: TaskRecord[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

/** Ids read per round trip while filtering; a filter that matches little is bounded by SCAN_BUDGET per page. */
const BATCH = 200;
const SCAN_BUDGET = 5000;

/**
 * Tasks newest first, optionally of one agent or status, a page at a time.
 * The cursor is the last task's place in the submission index (its score and
 * id), so tasks submitted meanwhile never shift a page: no task is shown
 * twice or skipped. A filter that matches little returns a short page and a
 * cursor after scanning SCAN_BUDGET tasks rather than reading the whole index.
 */
export async function listTasks(client: SwarmClient, options: TaskListOptions = {}): Promise<TaskPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const { redis, ledger, keys } = clientInternals(client);
  const index = keys.taskIndex;
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  let max = after ? String(after.score) : "+inf";
  let offset = 0;
  let scanned = 0;
  let last: { score: number; id: string } | null = after;
  const tasks: TaskRecord[] = [];
  for (;;) {
    const flat = await redis.zrevrangebyscore(index, max, "-inf", "WITHSCORES", "LIMIT", offset, BATCH);
    if (flat.length === 0) return { tasks, nextCursor: null };
    const entries: { id: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    // Equal scores come in reverse lexical order: those at or above the cursor's id were on earlier pages.
    const fresh = entries.filter((e) => !(after && e.score === after.score && e.id >= after.id));
    const records = await Promise.all(fresh.map((e) => ledger.get(e.id)));
    for (let i = 0; i < fresh.length; i++) {
      const record = records[i];
      last = fresh[i]!;
      scanned += 1;
      if (record && (!options.agent || record.agent === options.agent) && (!options.status || record.status === options.status)) {
        tasks.push(record);
        if (tasks.length === limit) return { tasks, nextCursor: encodeCursor(last) };
      }
    }
    if (entries.length < BATCH) return { tasks, nextCursor: null };
    if (scanned >= SCAN_BUDGET && last) return { tasks, nextCursor: encodeCursor(last) };
    // Next batch: continue below the last score seen; entries sharing it are skipped by offset.
    const lastScore = entries.at(-1)!.score;
    offset = String(lastScore) === max ? offset + entries.length : entries.filter((e) => e.score === lastScore).length;
    max = String(lastScore);
  }
}

function encodeCursor(at: { score: number; id: string }): string {
  return Buffer.from(`${at.score}:${at.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { score: number; id: string } | null {
  const [score, id] = Buffer.from(cursor, "base64url").toString("utf8").split(":");
  return score !== undefined && id && Number.isFinite(Number(score)) ? { score: Number(score), id } : null;
}
