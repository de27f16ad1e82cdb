/** The swarm's events in the history store, keyed by their Redis stream id (a replayed entry is a no-op). */
import type { Kysely, Selectable } from "kysely";
import type { Redactor, SwarmEvent } from "../../core/index.js";
import type { EventsTable, HistorySchema } from "./schema.js";
import { storable } from "./task-row.js";

const CHUNK = 300;

export function eventRow(event: SwarmEvent, redactor: Redactor): EventsTable {
  const redact = storable(redactor);
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) if (typeof value === "string" && key !== "id") data[key] = redact(value);
  const field = (key: string): string | null => data[key] ?? null;
  const at = Date.parse(event.at);
  return {
    id: event.id,
    type: event.type,
    at: Number.isFinite(at) ? at : streamTime(event.id),
    task_id: field("taskId"),
    agent: field("agent"),
    execution_id: field("executionId"),
    workflow: field("workflow"),
    step: field("step"),
    actor: field("actor"),
    via: field("via"),
    data: JSON.stringify(data),
  };
}

/** A stream id's time part (`1732230000000-0` → 1732230000000). */
export function streamTime(id: string): number {
  const ms = Number(id.split("-")[0]);
  return Number.isFinite(ms) ? ms : 0;
}

export async function insertEvents(db: Kysely<HistorySchema>, rows: readonly EventsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto("events")
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }
}

export async function eventsOfTask(db: Kysely<HistorySchema>, taskId: string): Promise<Selectable<EventsTable>[]> {
  return db.selectFrom("events").selectAll().where("task_id", "=", taskId).orderBy("id").execute();
}
