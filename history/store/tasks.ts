/**
 * Tasks in the history store: idempotent upserts from the writer, one task's
 * full record, and filtered listings newest first with a keyset cursor.
 * Full-text search is in search.ts.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import { TERMINAL_STATUSES } from "../../core/index.js";
import type { HistorySchema, TasksTable } from "./schema.js";
import type { TaskRow } from "./task-row.js";

/** Columns a later write never clears: they come from other events than the task's own (who submitted, its workflow step). */
const STICKY = ["host", "submitted_by", "submitted_via", "execution_id", "workflow", "step", "memory_entries", "cast_file"] as const;
const CHUNK = 200;

/**
 * Writes rows, newest record wins, except that a task already recorded in a
 * terminal state is never put back into an open one (a replayed old event, a
 * Redis restored from an older backup).
 */
export async function upsertTasks(db: Kysely<HistorySchema>, rows: readonly TaskRow[]): Promise<void> {
  const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
  for (let i = 0; i < unique.length; i += CHUNK) {
    await db
      .insertInto("tasks")
      .values(unique.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc
          .column("id")
          .doUpdateSet((eb) => {
            const set: Record<string, unknown> = {};
            for (const column of Object.keys(unique[0]!) as (keyof TaskRow)[]) {
              if (column === "id") continue;
              set[column] = (STICKY as readonly string[]).includes(column)
                ? eb.fn.coalesce(eb.ref(`excluded.${column}`), eb.ref(`tasks.${column}`))
                : eb.ref(`excluded.${column}`);
            }
            return set as never;
          })
          .where((eb) => eb.or([eb("tasks.status", "not in", [...TERMINAL_STATUSES]), eb("excluded.status", "in", [...TERMINAL_STATUSES])])),
      )
      .execute();
  }
}

/** Links tasks to the workflow step that ran them, from the step events already stored (whichever arrived first). */
export async function linkSteps(db: Kysely<HistorySchema>, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  const from = (column: "execution_id" | "workflow" | "step") =>
    sql`(select e.${sql.ref(column)} from events e where e.task_id = tasks.id and e.execution_id is not null and e.${sql.ref(column)} is not null order by e.id limit 1)`;
  for (let i = 0; i < taskIds.length; i += CHUNK) {
    await db
      .updateTable("tasks")
      .set({ execution_id: from("execution_id"), workflow: from("workflow"), step: from("step") } as never)
      .where("id", "in", taskIds.slice(i, i + CHUNK))
      .where("execution_id", "is", null)
      .execute();
  }
}

export type StoredTask = Selectable<TasksTable>;

export async function getTaskRow(db: Kysely<HistorySchema>, id: string): Promise<StoredTask | undefined> {
  const row = await db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
  // PostgreSQL's tsvector columns
  if (row) for (const column of ["search", "search_task"]) delete (row as Record<string, unknown>)[column];
  return row;
}

export interface TaskFilter {
  readonly agent?: string;
  readonly statuses?: readonly string[];
  /** A workflow's name or an execution id. */
  readonly workflow?: string;
  /** Submitted at or after (ms). */
  readonly since?: number;
  /** Submitted before (ms). */
  readonly until?: number;
}

/** The keyset of the last row of a page: the next page starts after it. */
export interface TaskCursor {
  readonly at: number;
  readonly id: string;
}

export const LIST_COLUMNS = [
  "id",
  "agent",
  "session",
  "status",
  "exit_code",
  "reason",
  "task",
  "submitted_at",
  "started_at",
  "finished_at",
  "duration_ms",
  "attempts",
  "workflow",
  "step",
  "execution_id",
  "cost_usd",
  "submitted_by",
] as const;
export type TaskListRow = Pick<StoredTask, (typeof LIST_COLUMNS)[number]>;

export async function listTaskRows(db: Kysely<HistorySchema>, filter: TaskFilter, limit: number, after: TaskCursor | null): Promise<TaskListRow[]> {
  let query = db.selectFrom("tasks").select([...LIST_COLUMNS]);
  if (filter.agent !== undefined) query = query.where("agent", "=", filter.agent);
  if (filter.statuses !== undefined && filter.statuses.length > 0) query = query.where("status", "in", [...filter.statuses]);
  if (filter.workflow !== undefined) {
    const workflow = filter.workflow;
    query = query.where((eb) => eb.or([eb("workflow", "=", workflow), eb("execution_id", "=", workflow)]));
  }
  if (filter.since !== undefined) query = query.where("submitted_at", ">=", filter.since);
  if (filter.until !== undefined) query = query.where("submitted_at", "<", filter.until);
  if (after !== null) {
    query = query.where((eb) => eb.or([eb("submitted_at", "<", after.at), eb.and([eb("submitted_at", "=", after.at), eb("id", "<", after.id)])]));
  }
  return query.orderBy("submitted_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** Removes finished tasks that ended before `before` (ms), with their events. Returns how many tasks went. */
export async function pruneTasks(db: Kysely<HistorySchema>, before: number): Promise<number> {
  const result = await db
    .deleteFrom("tasks")
    .where("status", "in", [...TERMINAL_STATUSES])
    .where((eb) => eb.or([eb("finished_at", "<", before), eb.and([eb("finished_at", "is", null), eb("submitted_at", "<", before)])]))
    .executeTakeFirst();
  await db.deleteFrom("events").where("at", "<", before).execute();
  return Number(result.numDeletedRows);
}
