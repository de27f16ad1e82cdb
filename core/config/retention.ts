/**
 * `retention:` in swarm.yaml: durations (`30d`, `12h`, `90m`, `45s`, combined
 * like `1d12h`, or a plain number of seconds), the rule that failed work is
 * kept at least as long as completed work, and the normalizer.
 */
import type { RawRetention } from "./schema.js";
import { DEFAULT_RETENTION, type RetentionConfig } from "./types.js";

export const DURATION_EXPECTED = "a positive duration like 30d, 12h, 90m or 45s, or a number of seconds";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+\s*[smhd]\s*)+$/;
const PART = /(\d+)\s*([smhd])/g;

/** Milliseconds of a duration as written in swarm.yaml, or null when it is not one (or not above zero). */
export function durationMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return null;
    ms = value * 1000;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+$/.test(text)) ms = Number(text) * 1000;
    else if (DURATION.test(text)) {
      ms = 0;
      for (const [, count, unit] of text.matchAll(PART)) ms += Number(count) * (UNIT_MS[unit ?? ""] ?? 0);
    } else return null;
  } else return null;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** A duration the way a person writes it: the largest unit that divides it (`30d`, `36h`, `90m`, `45s`). */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Failed work is what someone comes back to look into: keeping it shorter than completed work is refused. */
export function retentionProblems(raw: unknown): string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  const section = raw as Record<string, unknown>;
  const completed = section.completed === undefined ? DEFAULT_RETENTION.completedMs : durationMs(section.completed);
  const failed = section.failed === undefined ? DEFAULT_RETENTION.failedMs : durationMs(section.failed);
  if (completed === null || failed === null || failed >= completed) return [];
  const why = "failed tasks and executions are kept at least as long as completed ones, for looking into them";
  if (section.failed === undefined) {
    return [
      `retention.completed: ${formatDuration(completed)} is longer than failed ones are kept (${formatDuration(failed)}, the default); set retention.failed to ${formatDuration(completed)} or more: ${why}`,
    ];
  }
  const against =
    section.completed === undefined ? `${formatDuration(completed)}, the default for retention.completed` : `retention.completed, ${formatDuration(completed)}`;
  return [`retention.failed: ${formatDuration(failed)} is shorter than ${against}; ${why}`];
}

export function normalizeRetention(raw: RawRetention): RetentionConfig {
  return Object.freeze({
    completedMs: durationMs(raw.completed) ?? DEFAULT_RETENTION.completedMs,
    failedMs: durationMs(raw.failed) ?? DEFAULT_RETENTION.failedMs,
    maxTasks: raw.max_tasks ?? DEFAULT_RETENTION.maxTasks,
    maxExecutions: raw.max_executions ?? DEFAULT_RETENTION.maxExecutions,
  });
}
