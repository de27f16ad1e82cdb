/**
 * Memory entries in the store: add, forget, list, and full-text ranking
 * (FTS5 bm25 / ts_rank) within the scopes that apply. A search's words are
 * OR-ed (a task's whole prompt is a query: an entry matching some of its
 * words is worth having) and, as for tasks, only ever bound parameters.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Dialect } from "../store/open.js";
import type { HistorySchema, MemoryTable } from "../store/schema.js";
import { searchWords } from "../store/search.js";

export type MemoryRow = Omit<MemoryTable, "seq">;

/** Which entries apply: the swarm's, plus those of the agents and repositories named. null: every entry. */
export interface ScopeFilter {
  readonly agents: readonly string[];
  readonly repos: readonly string[];
}

const MAX_QUERY_WORDS = 48;

/** Distinct words of a query, longest first (the most telling ones of a long prompt), at most 48. */
export function queryWords(text: string): string[] {
  const words = [
    ...new Set(
      searchWords(text.slice(0, 20_000))
        .map((w) => w.toLowerCase())
        .filter((w) => w.length >= 2),
    ),
  ];
  return words.sort((a, b) => b.length - a.length).slice(0, MAX_QUERY_WORDS);
}

export function scopeSql(filter: ScopeFilter | null, t: string, now: number): RawBuilder<unknown> {
  const col = (name: string) => sql.ref(`${t}.${name}`);
  const alive = sql`(${col("expires_at")} is null or ${col("expires_at")} > ${now})`;
  if (filter === null) return alive;
  const parts = [sql`${col("scope")} = 'swarm'`];
  if (filter.agents.length > 0) parts.push(sql`(${col("scope")} = 'agent' and ${col("scope_value")} in (${sql.join(filter.agents.map((a) => sql`${a}`))}))`);
  if (filter.repos.length > 0) parts.push(sql`(${col("scope")} = 'repo' and ${col("scope_value")} in (${sql.join(filter.repos.map((r) => sql`${r}`))}))`);
  return sql`${alive} and (${sql.join(parts, sql` or `)})`;
}

/** Ids of matching entries, best first. */
export async function fullTextRanking(
  db: Kysely<HistorySchema>,
  dialect: Dialect,
  text: string,
  filter: ScopeFilter | null,
  limit: number,
  now = Date.now(),
): Promise<string[]> {
  const words = queryWords(text);
  if (words.length === 0) return [];
  if (dialect === "sqlite") {
    const match = words.map((w) => `"${w}"`).join(" OR ");
    const rows = await sql<{ id: string }>`
      select m.id from memory_fts join memory m on m.seq = memory_fts.rowid
      where memory_fts match ${match} and ${scopeSql(filter, "m", now)}
      order by bm25(memory_fts), m.created_at desc limit ${limit}`.execute(db);
    return rows.rows.map((r) => r.id);
  }
  const query = sql.join(
    words.map((w) => sql`plainto_tsquery('english', ${w})`),
    sql` || `,
  );
  const rows = await sql<{ id: string }>`
    select m.id from memory m, (select ${query} as query) q
    where m.search @@ q.query and ${scopeSql(filter, "m", now)}
    order by ts_rank(m.search, q.query) desc, m.created_at desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

export async function insertMemory(db: Kysely<HistorySchema>, row: MemoryRow): Promise<void> {
  await db.insertInto("memory").values(row).execute();
}

export async function deleteMemory(db: Kysely<HistorySchema>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("memory").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export const ENTRY_COLUMNS = [
  "id",
  "scope",
  "scope_value",
  "text",
  "source",
  "created_at",
  "expires_at",
  "created_by",
  "created_via",
  "embedding_model",
] as const;
export type EntryRow = Pick<MemoryTable, (typeof ENTRY_COLUMNS)[number]>;

export async function entriesById(db: Kysely<HistorySchema>, ids: readonly string[]): Promise<Map<string, EntryRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("memory")
    .select([...ENTRY_COLUMNS])
    .where("id", "in", [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export async function listEntries(db: Kysely<HistorySchema>, filter: ScopeFilter | null, limit: number, now = Date.now()): Promise<EntryRow[]> {
  const rows = await sql<EntryRow>`
    select ${sql.join(ENTRY_COLUMNS.map((c) => sql.ref(`m.${c}`)))} from memory m
    where ${scopeSql(filter, "m", now)} order by m.created_at desc limit ${limit}`.execute(db);
  return rows.rows;
}

/** Forgets expired entries; returns how many. */
export async function expireEntries(db: Kysely<HistorySchema>, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom("memory").where("expires_at", "is not", null).where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
