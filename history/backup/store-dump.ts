/**
 * The history store as JSON lines, one file per table, the same for SQLite
 * and PostgreSQL (a backup of one restores into the other): read page by
 * page, written back in one transaction. Binary columns (vectors) are base64.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Kysely } from "kysely";
import { META } from "../store/meta.js";
import type { HistorySchema } from "../store/schema.js";

export const TABLES = ["tasks", "events", "executions", "audit", "memory", "history_meta"] as const;
export type TableName = (typeof TABLES)[number];

/** Each table's columns we write (never `seq`, renumbered on restore, nor PostgreSQL's generated `search`), and the key it pages on. */
const COLUMNS: Record<TableName, { readonly columns: readonly string[]; readonly order: string }> = {
  tasks: {
    columns: [
      "id",
      "agent",
      "session",
      "host",
      "status",
      "exit_code",
      "reason",
      "task",
      "routed_by",
      "priority",
      "timeout_sec",
      "idempotency_key",
      "submitted_at",
      "started_at",
      "finished_at",
      "duration_ms",
      "attempts",
      "output_head",
      "output_tail",
      "output_chars",
      "output_file",
      "answer",
      "cost_usd",
      "input_tokens",
      "output_tokens",
      "turns",
      "conversation_id",
      "execution_id",
      "workflow",
      "step",
      "changed_files",
      "memory_entries",
      "cast_file",
      "submitted_by",
      "submitted_via",
      "extra",
      "updated_at",
    ],
    order: "seq",
  },
  events: { columns: ["id", "type", "at", "task_id", "agent", "execution_id", "workflow", "step", "actor", "via", "data"], order: "id" },
  executions: { columns: ["id", "workflow", "status", "params", "created_at", "finished_at", "updated_at", "state"], order: "id" },
  audit: { columns: ["key", "at", "actor", "via", "action", "target", "details"], order: "seq" },
  memory: {
    columns: ["id", "scope", "scope_value", "text", "source", "created_at", "expires_at", "created_by", "created_via", "embedding", "embedding_model"],
    order: "seq",
  },
  history_meta: { columns: ["key", "value"], order: "key" },
};

const PAGE = 2000;

/** Every row of a table, in its order, page by page. */
export async function* tableRows(db: Kysely<HistorySchema>, table: TableName): AsyncGenerator<Record<string, unknown>> {
  const { columns, order } = COLUMNS[table];
  let after: unknown = null;
  const anyDb = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (;;) {
    let query = anyDb
      .selectFrom(table)
      .select([...columns, order] as never[])
      .orderBy(order as never)
      .limit(PAGE);
    if (after !== null) query = query.where(order as never, ">", after as never);
    const rows = (await query.execute()) as Record<string, unknown>[];
    for (const row of rows) {
      const out: Record<string, unknown> = {};
      for (const column of columns) {
        const value = row[column];
        out[column] = Buffer.isBuffer(value) || value instanceof Uint8Array ? { base64: Buffer.from(value).toString("base64") } : value;
      }
      yield out;
    }
    if (rows.length < PAGE) return;
    after = rows.at(-1)![order];
  }
}

export async function writeTableFile(db: Kysely<HistorySchema>, table: TableName, file: string): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  let count = 0;
  for await (const row of tableRows(db, table)) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, "drain");
    count++;
  }
  out.end();
  await once(out, "finish");
  return count;
}

/** Replaces the whole content of the store with the rows given per table (the audit log too, which only a restore may do). */
export async function replaceStore(db: Kysely<HistorySchema>, tables: ReadonlyMap<TableName, readonly Record<string, unknown>[]>): Promise<void> {
  const anyDb = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await db.transaction().execute(async (trx) => {
    const t = trx as unknown as typeof anyDb;
    // The audit triggers allow deleting only entries older than the horizon: a restore sets it past everything.
    await t
      .insertInto("history_meta")
      .values({ key: META.auditPruneBefore, value: String(Number.MAX_SAFE_INTEGER) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(Number.MAX_SAFE_INTEGER) }))
      .execute();
    for (const table of ["audit", "tasks", "events", "executions", "memory"] as const) await t.deleteFrom(table).execute();
    await t.deleteFrom("history_meta").execute();
    for (const table of TABLES) {
      const rows = (tables.get(table) ?? []).map((row) => {
        const out: Record<string, unknown> = {};
        for (const column of COLUMNS[table].columns) {
          const value = row[column];
          out[column] =
            value !== null && typeof value === "object" && "base64" in value
              ? Buffer.from(String((value as { base64: unknown }).base64), "base64")
              : (value ?? null);
        }
        return out;
      });
      for (let i = 0; i < rows.length; i += 200)
        await t
          .insertInto(table)
          .values(rows.slice(i, i + 200))
          .execute();
    }
  });
}
