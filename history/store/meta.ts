/** The store's own bookkeeping (history_meta): the stream's high-water mark, the swarm's id, the audit prune horizon. */
import type { Kysely } from "kysely";
import type { HistorySchema } from "./schema.js";

export const META = {
  /** The newest event stream id written (the writer's high-water mark). */
  lastEventId: "last_event_id",
  /** When that was written (ms). */
  lastWriteAt: "last_write_at",
  swarmId: "swarm_id",
  /** Audit entries older than this (ms) may be deleted; newer ones never (the triggers enforce it). */
  auditPruneBefore: "audit_prune_before",
} as const;

export async function getMeta(db: Kysely<HistorySchema>, key: string): Promise<string | null> {
  const row = await db.selectFrom("history_meta").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value ?? null;
}

export async function setMeta(db: Kysely<HistorySchema>, key: string, value: string): Promise<void> {
  await db
    .insertInto("history_meta")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}
