/** Percentiles and formatting for the bench (nearest-rank percentiles, milliseconds). */

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** A target's verdict: undefined when the figure was not measured. */
export const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "met" : "**not met**");

export const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : "n/a");
export const rate = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} tasks/s` : "n/a");
export const pct = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)} %` : "n/a");
export const mb = (kb: number): string => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : "n/a");

export function describe(summary: Summary): string {
  return `n=${summary.n} p50 ${ms(summary.p50)}, p95 ${ms(summary.p95)}, p99 ${ms(summary.p99)} (min ${ms(summary.min)}, mean ${ms(summary.mean)}, max ${ms(summary.max)})`;
}

/** A part's rows of the "Against the targets" table with its header, as a `BENCH_ONLY=…` run prints them. */
export function targetsTable(rows: readonly string[]): string {
  return ["| Measure | Ours | Baseline | Peer-style | Target | Verdict |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}
