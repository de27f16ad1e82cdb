/**
 * What Redis holds, copied into the store when the writer starts (and after
 * a rebuild): every task in the ledger's index and every workflow execution.
 * Tasks the store already has in a terminal state are skipped without being
 * read, so a restart of a long-lived swarm costs one query per 500 tasks.
 */
import type { Kysely } from "kysely";
import { TERMINAL_STATUSES } from "../../core/index.js";
import { executionRow, parseExecutionDocument, upsertExecutions } from "../store/executions.js";
import type { ExecutionsTable, HistorySchema } from "../store/schema.js";
import { taskRow, type TaskRow } from "../store/task-row.js";
import { upsertTasks } from "../store/tasks.js";
import type { BatchSources } from "./batch.js";

const CHUNK = 500;

export interface BackfillKeys {
  /** The ledger's sorted set of task ids. */
  readonly taskIndex: string;
  /** The workflow executions' sorted set of ids. */
  readonly executionIndex: string;
}

export async function backfill(db: Kysely<HistorySchema>, sources: BatchSources, keys: BackfillKeys): Promise<{ tasks: number; executions: number }> {
  let tasks = 0;
  for (let start = 0; ; start += CHUNK) {
    const ids = await sources.redis.zrange(keys.taskIndex, start, start + CHUNK - 1);
    if (ids.length === 0) break;
    const finished = await db
      .selectFrom("tasks")
      .select("id")
      .where("id", "in", ids)
      .where("status", "in", [...TERMINAL_STATUSES])
      .execute();
    const known = new Set(finished.map((row) => row.id));
    const todo = ids.filter((id) => !known.has(id));
    const rows: TaskRow[] = [];
    for (const record of await Promise.all(todo.map((id) => sources.ledger.get(id)))) {
      if (record === null) continue;
      rows.push(taskRow(record, sources.redact, { host: record.host ?? (record.session ? await sources.hostOf(record.session) : null) }));
    }
    await upsertTasks(db, rows);
    tasks += rows.length;
    if (ids.length < CHUNK) break;
  }
  let executions = 0;
  for (let start = 0; ; start += CHUNK) {
    const ids = await sources.redis.zrange(keys.executionIndex, start, start + CHUNK - 1);
    if (ids.length === 0) break;
    const texts = await sources.redis.mget(ids.map(sources.executionKey));
    const rows: ExecutionsTable[] = [];
    texts.forEach((text) => {
      const doc = parseExecutionDocument(text);
      if (doc !== null && text !== null) rows.push(executionRow(doc, text, sources.redact));
    });
    await upsertExecutions(db, rows);
    executions += rows.length;
    if (ids.length < CHUNK) break;
  }
  return { tasks, executions };
}
