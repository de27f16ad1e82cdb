/**
 * One delivery of stream entries into the store, in one transaction: the
 * events themselves, the current record of every task they name (read from
 * the ledger: the newest state, whatever event was lost), the workflow
 * executions they name, and the audit entries they stand for. Replaying a
 * batch writes the same rows again.
 */
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { Ledger, Redactor, SwarmEvent, TaskRecord } from "../../core/index.js";
import { auditRowsFromEvent } from "../store/audit.js";
import { eventRow, insertEvents } from "../store/events.js";
import { executionRow, parseExecutionDocument, upsertExecutions } from "../store/executions.js";
import { META, setMeta } from "../store/meta.js";
import type { ExecutionsTable, HistorySchema } from "../store/schema.js";
import { taskRow, type TaskRow } from "../store/task-row.js";
import { linkSteps, upsertTasks } from "../store/tasks.js";

export interface BatchSources {
  readonly redis: Redis;
  readonly ledger: Ledger;
  /** Redis key of a workflow execution's document. */
  readonly executionKey: (id: string) => string;
  readonly redact: Redactor;
  /** Host of a session, from its registry entry (cached by the caller). */
  readonly hostOf: (session: string) => Promise<string | null>;
}

export interface BatchResult {
  readonly events: number;
  readonly tasks: number;
  readonly executions: number;
  readonly audit: number;
}

export async function writeBatch(db: Kysely<HistorySchema>, sources: BatchSources, events: readonly SwarmEvent[]): Promise<BatchResult> {
  const eventRows = events.map((event) => eventRow(event, sources.redact));
  const taskIds = [...new Set(eventRows.map((row) => row.task_id).filter((id): id is string => id !== null))];
  const executionIds = [...new Set(eventRows.map((row) => row.execution_id).filter((id): id is string => id !== null))];
  const submitted = new Map(eventRows.filter((row) => row.type === "task.submitted" && row.task_id).map((row) => [row.task_id!, row]));
  const records = await Promise.all(taskIds.map((id) => sources.ledger.get(id)));
  const taskRows = await rowsOf(records, sources, submitted);
  const executionRows = await readExecutions(executionIds, sources);
  const audit = eventRows.flatMap(auditRowsFromEvent);
  // Only tasks of workflow steps need linking: those named by a step event, or submitted by the engine.
  const stepTasks = [
    ...new Set(eventRows.filter((row) => row.task_id !== null && (row.execution_id !== null || row.via === "workflow")).map((row) => row.task_id!)),
  ];
  const last = eventRows.at(-1)?.id;
  await db.transaction().execute(async (trx) => {
    await insertEvents(trx, eventRows);
    await upsertTasks(trx, taskRows);
    await upsertExecutions(trx, executionRows);
    await linkSteps(trx, stepTasks);
    if (audit.length > 0)
      await trx
        .insertInto("audit")
        .values(audit)
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
    if (last !== undefined) {
      await setMeta(trx, META.lastEventId, last);
      await setMeta(trx, META.lastWriteAt, String(Date.now()));
    }
  });
  return { events: eventRows.length, tasks: taskRows.length, executions: executionRows.length, audit: audit.length };
}

async function rowsOf(
  records: readonly (TaskRecord | null)[],
  sources: BatchSources,
  submitted: ReadonlyMap<string, { actor: string | null; via: string | null }>,
): Promise<TaskRow[]> {
  const rows: TaskRow[] = [];
  for (const record of records) {
    // Gone from Redis (retention, a flush): what the store has stays as it is.
    if (record === null) continue;
    const origin = submitted.get(record.id);
    const host = record.host ?? (record.session ? await sources.hostOf(record.session) : null);
    rows.push(taskRow(record, sources.redact, { host, submittedBy: origin?.actor ?? null, submittedVia: origin?.via ?? null }));
  }
  return rows;
}

async function readExecutions(ids: readonly string[], sources: BatchSources): Promise<ExecutionsTable[]> {
  if (ids.length === 0) return [];
  const texts = await sources.redis.mget(ids.map(sources.executionKey));
  const rows: ExecutionsTable[] = [];
  texts.forEach((text) => {
    const doc = parseExecutionDocument(text);
    if (doc !== null && text !== null) rows.push(executionRow(doc, text, sources.redact));
  });
  return rows;
}
