/**
 * Finished tasks counted per time bucket, in SQL on either database: how
 * many completed, failed (or timed out) and were cancelled (or refused),
 * and the mean wait between submission and start. Buckets are aligned to
 * multiples of their length (`finished_at - finished_at % length`, exact on
 * SQLite's integers and PostgreSQL's bigints alike).
 */
import { sql, type Kysely } from "kysely";
import { TERMINAL_STATUSES } from "../../core/index.js";
import type { HistorySchema } from "./schema.js";

export interface ThroughputRow {
  /** The bucket's start, ms since the epoch. */
  readonly at: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Mean of started − submitted over the bucket's tasks that started; null when none did. */
  readonly meanWaitMs: number | null;
}

export async function throughputRows(db: Kysely<HistorySchema>, since: number, until: number, bucketMs: number): Promise<ThroughputRow[]> {
  // A literal, not a parameter: PostgreSQL must see the grouped expression as the selected one. History.throughput checked it is an integer.
  const bucket = sql<number>`finished_at - finished_at % ${sql.lit(bucketMs)}`;
  const rows = await db
    .selectFrom("tasks")
    .select([
      bucket.as("at"),
      sql<number>`sum(case when status = 'completed' then 1 else 0 end)`.as("completed"),
      sql<number>`sum(case when status in ('failed', 'timeout') then 1 else 0 end)`.as("failed"),
      sql<number>`sum(case when status in ('cancelled', 'rejected') then 1 else 0 end)`.as("cancelled"),
      sql<number | null>`avg(case when started_at is not null then started_at - submitted_at end)`.as("mean_wait"),
    ])
    .where("status", "in", [...TERMINAL_STATUSES])
    .where("finished_at", ">=", since)
    .where("finished_at", "<", until)
    .groupBy(bucket)
    .orderBy("at")
    .execute();
  // PostgreSQL answers bigint sums and numeric averages as strings.
  return rows.map((row) => ({
    at: Number(row.at),
    completed: Number(row.completed),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    meanWaitMs: row.mean_wait === null ? null : Math.round(Number(row.mean_wait)),
  }));
}
