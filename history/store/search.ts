/**
 * Full-text search over task text, answer, reason and output: FTS5 with
 * snippets on SQLite, tsvector with ts_headline on PostgreSQL. The user's
 * text is only ever a bound parameter. On SQLite it is first reduced to its
 * words, each quoted as an FTS5 string, so FTS syntax (`NEAR`, `*`, `"`,
 * `:`, `-`, parentheses) is searched for as text, not obeyed;
 * PostgreSQL's plainto_tsquery treats its input as plain words.
 *
 * Order: the tasks whose own text holds every word first (tier 1), then those
 * where the words are in the answer, reason or output (tier 2); newest
 * recorded (seq) first within each. A page is read in the index's own rowid
 * order and stops at its limit, so its cost does not grow with the number of
 * matches: bm25 cost 105–170 ms per query over 1,000,000 tasks when three
 * common words matched 29,000 of them (its idf alone scans every document of
 * each word: 34–57 ms), while a tier page read this way took 1–3 ms.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Dialect } from "./open.js";
import type { HistorySchema } from "./schema.js";
import { LIST_COLUMNS, type TaskFilter, type TaskListRow } from "./tasks.js";

export interface SearchHit extends TaskListRow {
  /** A passage around the match, the matched words between « and ». */
  readonly snippet: string;
}

/** Where a search page ends: the next one starts after this row. */
export interface SearchCursor {
  /** 1: every word in the task's own text; 2: the words elsewhere. */
  readonly tier: 1 | 2;
  readonly seq: number;
}

export interface SearchRow extends SearchHit {
  readonly tier: 1 | 2;
  readonly seq: number;
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

/** Up to `limit` matches after `after`, tier 1 then tier 2, newest recorded first within each. */
export async function searchTaskRows(
  db: Kysely<HistorySchema>,
  dialect: Dialect,
  text: string,
  filter: TaskFilter,
  limit: number,
  after: SearchCursor | null,
): Promise<SearchRow[]> {
  const words = searchWords(text);
  if (words.length === 0) return [];
  const rows: SearchRow[] = [];
  for (const tier of [1, 2] as const) {
    if (after !== null && tier < after.tier) continue;
    const before = after !== null && after.tier === tier ? after.seq : null;
    const read = dialect === "sqlite" ? tierSqlite : tierPostgres;
    const hits = await read(db, words, tier, filter, before, limit - rows.length);
    rows.push(...hits.map((hit) => ({ ...hit, tier, seq: Number(hit.seq) })));
    if (rows.length >= limit) break;
  }
  return rows;
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

/** The FTS5 expression of a tier: every word in the task column, or every word in the row but not all of them in the task column. */
export function tierExpression(words: readonly string[], tier: 1 | 2): string {
  const all = ftsQuery(words);
  return tier === 1 ? `{task} : (${all})` : `(${all}) NOT {task} : (${all})`;
}

type TierRow = SearchHit & { seq: number | string };

async function tierSqlite(
  db: Kysely<HistorySchema>,
  words: readonly string[],
  tier: 1 | 2,
  filter: TaskFilter,
  before: number | null,
  limit: number,
): Promise<TierRow[]> {
  const where = [sql`tasks_fts match ${tierExpression(words, tier)}`, ...filters(filter, "t")];
  if (before !== null) where.push(sql`tasks_fts.rowid < ${before}`);
  // FTS5 walks the match newest rowid first and stops at the limit; snippet() runs for the page's rows only.
  const result = await sql<TierRow>`
    select ${columns("t")}, t.seq as seq, snippet(tasks_fts, -1, ${MARK_START}, ${MARK_END}, '…', 12) as snippet
    from tasks_fts join tasks t on t.seq = tasks_fts.rowid
    where ${sql.join(where, sql` and `)}
    order by tasks_fts.rowid desc
    limit ${limit}`.execute(db);
  return result.rows;
}

const PG_DOC = sql.raw(["task", "answer", "reason", "output_head", "output_tail"].map((c) => `coalesce(t.${c}, '')`).join(" || ' ' || "));

async function tierPostgres(
  db: Kysely<HistorySchema>,
  words: readonly string[],
  tier: 1 | 2,
  filter: TaskFilter,
  before: number | null,
  limit: number,
): Promise<TierRow[]> {
  const query = sql`plainto_tsquery('english', ${words.join(" ")})`;
  const where = [tier === 1 ? sql`t.search_task @@ q.query` : sql`t.search @@ q.query and not (t.search_task @@ q.query)`, ...filters(filter, "t")];
  if (before !== null) where.push(sql`t.seq < ${before}`);
  // Headlines are costly: cut the page first, then mark up only its rows.
  const result = await sql<TierRow>`
    with q as (select ${query} as query),
    page as (
      select t.seq from tasks t, q
      where ${sql.join(where, sql` and `)}
      order by t.seq desc
      limit ${limit}
    )
    select ${columns("t")}, t.seq as seq,
      ts_headline('english', ${PG_DOC}, q.query, ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8, MaxFragments=1`}) as snippet
    from page join tasks t on t.seq = page.seq, q
    order by t.seq desc`.execute(db);
  return result.rows;
}
