import type { SwarmEvent } from "../../core/index.js";

const MINUTE_MS = 60_000;

/** Time of an event in ms: its stream id (the Redis server's clock), else its `at` field. */
export function eventTime(event: SwarmEvent): number {
  const ms = Number(event.id?.split("-")[0]);
  return Number.isFinite(ms) && ms > 0 ? ms : Date.parse(event.at);
}

/**
 * Tasks finished per minute, from the event stream: `task.completed` counts
 * as done, `task.failed`/`task.timeout` as failed. Keeps only `keepMinutes`.
 */
export class Throughput {
  private readonly done = new Map<number, number>();
  private readonly failed = new Map<number, number>();

  constructor(readonly keepMinutes = 60) {}

  add(event: SwarmEvent): void {
    const target = event.type === "task.completed" ? this.done : event.type === "task.failed" || event.type === "task.timeout" ? this.failed : null;
    if (!target) return;
    const minute = Math.floor(eventTime(event) / MINUTE_MS);
    target.set(minute, (target.get(minute) ?? 0) + 1);
    this.prune(minute);
  }

  /** Counts per minute for the last `minutes` minutes, oldest first; the last entry is the current minute. */
  series(now: number, minutes: number): { done: number[]; failed: number[] } {
    const current = Math.floor(now / MINUTE_MS);
    const pick = (map: Map<number, number>) => Array.from({ length: minutes }, (_, i) => map.get(current - minutes + 1 + i) ?? 0);
    return { done: pick(this.done), failed: pick(this.failed) };
  }

  private prune(latest: number): void {
    for (const map of [this.done, this.failed]) {
      for (const minute of map.keys()) if (minute < latest - this.keepMinutes) map.delete(minute);
    }
  }
}
