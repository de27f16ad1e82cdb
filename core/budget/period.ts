import type { BudgetPeriod } from "./types.js";

/** One budget period of an agent, in UTC: its key (part of a Redis key) and its bounds in ms since the epoch. */
export interface PeriodWindow {
  /** `2025-03-14` (a day), `w2025-03-10` (the week starting that Monday), `2025-03` (a month). */
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** The period of kind `per` that contains `now`. */
export function periodOf(per: BudgetPeriod, now: number): PeriodWindow {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (per === "day") return { key: isoDay(day), start: day, end: day + DAY_MS };
  if (per === "week") {
    // Weeks start on Monday, as ISO 8601 has them.
    const start = day - ((date.getUTCDay() + 6) % 7) * DAY_MS;
    return { key: `w${isoDay(start)}`, start, end: start + 7 * DAY_MS };
  }
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return { key: isoDay(start).slice(0, 7), start, end };
}

/** Whether `key` is the shape periodOf gives (it names a Redis key: nothing else may go there). */
export function isPeriodKey(key: string): boolean {
  return /^(?:w?\d{4}-\d{2}-\d{2}|\d{4}-\d{2})$/.test(key);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
