/**
 * Memory entries in the store: add, forget, list, and full-text ranking
 * (FTS5 bm25 / ts_rank) within the scopes that apply. Entries holding every
 * word of a search come first, then those holding some (a task's whole
 * prompt is a query: an entry matching some of its words is worth having);
 * the words are, as for tasks, only ever bound parameters.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Dialect } from "../store/open.js";
import type { HistorySchema, MemoryTable } from "../store/schema.js";
import { ftsQuery, searchWords } from "../store/search.js";

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

/**
 * Entries ranked (bm25 / ts_rank) within each tier are at most the newest
 * WINDOW of its matches: scoring every match cost 75–150 ms for a four-word
 * query over 100,000 entries (48,000 matched), a window of 5,000 13–14 ms.
 */
export const WINDOW = 5000;

/**
 * Ids of matching entries, best first: those holding every word first, then
 * those holding some; each tier ranked over its newest WINDOW matches, so an
 * entry with every word is found however old, one with some of them while it
 * is among the newest WINDOW such entries.
 */
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
  const ids: string[] = [];
  for (const tier of words.length === 1 ? (["all"] as const) : (["all", "some"] as const)) {
    const rows =
      dialect === "sqlite"
        ? await tierSqlite(db, words, tier, filter, limit - ids.length, now)
        : await tierPostgres(db, words, tier, filter, limit - ids.length, now);
    ids.push(...rows);
    if (ids.length >= limit) break;
  }
  return ids;
}

async function tierSqlite(
  db: Kysely<HistorySchema>,
  words: readonly string[],
  tier: "all" | "some",
  filter: ScopeFilter | null,
  limit: number,
  now: number,
): Promise<string[]> {
  const all = ftsQuery(words);
  const match = tier === "all" ? all : `(${words.map((w) => ftsQuery([w])).join(" OR ")}) NOT (${all})`;
  // FTS5 walks the matches newest rowid first and stops at the window; bm25 is computed for the window's rows only.
  const rows = await sql<{ id: string }>`
    select id from (
      select m.id, m.created_at, bm25(memory_fts) as score from memory_fts join memory m on m.seq = memory_fts.rowid
      where memory_fts match ${match} and ${scopeSql(filter, "m", now)}
      order by memory_fts.rowid desc limit ${WINDOW}
    ) order by score, created_at desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

async function tierPostgres(
  db: Kysely<HistorySchema>,
  words: readonly string[],
  tier: "all" | "some",
  filter: ScopeFilter | null,
  limit: number,
  now: number,
): Promise<string[]> {
  const each = words.map((w) => sql`plainto_tsquery('english', ${w})`);
  const all = sql.join(each, sql` && `);
  const some = sql.join(each, sql` || `);
  const where = tier === "all" ? sql`m.search @@ q.query` : sql`m.search @@ q.query and not (m.search @@ q.every)`;
  const rows = await sql<{ id: string }>`
    select id from (
      select m.id, m.created_at, ts_rank(m.search, q.query) as score
      from memory m, (select ${tier === "all" ? all : some} as query, ${all} as every) q
      where ${where} and ${scopeSql(filter, "m", now)}
      order by m.seq desc limit ${WINDOW}
    ) w order by score desc, created_at desc limit ${limit}`.execute(db);
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
