/**
 * Full-text search over task text, answer, reason and output: FTS5 with
 * snippets on SQLite, tsvector with ts_headline on PostgreSQL, best match
 * first. The user's text is only ever a bound parameter. On SQLite it is
 * first reduced to its words, each quoted as an FTS5 string, so FTS syntax
 * (`NEAR`, `*`, `"`, `:`, `-`, parentheses) is searched for as text, not
 * obeyed; PostgreSQL's plainto_tsquery treats its input as plain words.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Dialect } from "./open.js";
import type { HistorySchema } from "./schema.js";
import { LIST_COLUMNS, type TaskFilter, type TaskListRow } from "./tasks.js";

export interface SearchHit extends TaskListRow {
  /** A passage around the match, the matched words between « and ». */
  readonly snippet: string;
}

export const MARK_START = "«";
export const MARK_END = "»";

/** The words of a search text, as FTS5 and the tokenizer see them (letters and digits). */
export function searchWords(text: string): string[] {
  return (text.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32);
}

/** An FTS5 query that matches rows containing every word; each is an FTS5 string, so none is an operator. */
export function ftsQuery(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(" ");
}

export async function searchTaskRows(
  db: Kysely<HistorySchema>,
  dialect: Dialect,
  text: string,
  filter: TaskFilter,
  limit: number,
  offset: number,
): Promise<SearchHit[]> {
  const words = searchWords(text);
  if (words.length === 0) return [];
  return dialect === "sqlite" ? searchSqlite(db, words, filter, limit, offset) : searchPostgres(db, words, filter, limit, offset);
}

function filters(filter: TaskFilter, t: string): RawBuilder<unknown>[] {
  const col = (name: string) => sql.ref(`${t}.${name}`);
  const out: RawBuilder<unknown>[] = [];
  if (filter.agent !== undefined) out.push(sql`${col("agent")} = ${filter.agent}`);
  if (filter.statuses !== undefined && filter.statuses.length > 0) out.push(sql`${col("status")} in (${sql.join(filter.statuses.map((s) => sql`${s}`))})`);
  if (filter.workflow !== undefined) out.push(sql`(${col("workflow")} = ${filter.workflow} or ${col("execution_id")} = ${filter.workflow})`);
  if (filter.since !== undefined) out.push(sql`${col("submitted_at")} >= ${filter.since}`);
  if (filter.until !== undefined) out.push(sql`${col("submitted_at")} < ${filter.until}`);
  return out;
}

const columns = (t: string) => sql.join(LIST_COLUMNS.map((c) => sql.ref(`${t}.${c}`)));

async function searchSqlite(db: Kysely<HistorySchema>, words: readonly string[], filter: TaskFilter, limit: number, offset: number): Promise<SearchHit[]> {
  const where = [sql`tasks_fts match ${ftsQuery(words)}`, ...filters(filter, "t")];
  const result = await sql<SearchHit>`
    select ${columns("t")}, snippet(tasks_fts, -1, ${MARK_START}, ${MARK_END}, '…', 12) as snippet
    from tasks_fts join tasks t on t.seq = tasks_fts.rowid
    where ${sql.join(where, sql` and `)}
    order by bm25(tasks_fts), t.submitted_at desc
    limit ${limit} offset ${offset}`.execute(db);
  return result.rows;
}

const PG_DOC = sql.raw(["task", "answer", "reason", "output_head", "output_tail"].map((c) => `coalesce(t.${c}, '')`).join(" || ' ' || "));

async function searchPostgres(db: Kysely<HistorySchema>, words: readonly string[], filter: TaskFilter, limit: number, offset: number): Promise<SearchHit[]> {
  const query = sql`plainto_tsquery('english', ${words.join(" ")})`;
  const where = [sql`t.search @@ q.query`, ...filters(filter, "t")];
  // Headlines are costly: rank and cut the page first, then mark up only its rows.
  const result = await sql<SearchHit>`
    with q as (select ${query} as query),
    page as (
      select t.seq, ts_rank(t.search, q.query) as rank
      from tasks t, q
      where ${sql.join(where, sql` and `)}
      order by rank desc, t.submitted_at desc
      limit ${limit} offset ${offset}
    )
    select ${columns("t")},
      ts_headline('english', ${PG_DOC}, q.query, ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8, MaxFragments=1`}) as snippet
    from page join tasks t on t.seq = page.seq, q
    order by page.rank desc, t.submitted_at desc`.execute(db);
  return result.rows;
}
