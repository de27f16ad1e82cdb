/**
 * The two filters between the event stream and a person: the same event
 * about the same thing once per window (a flapping breaker, an item escalated
 * by two daemons), and at most so many deliveries a minute per target (a
 * failure storm becomes a few messages and a count). Pure: time is passed in.
 */

/** How long an event about one subject stays a duplicate. */
export const DEDUP_WINDOW_MS = 5 * 60_000;

export class Dedup {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs = DEDUP_WINDOW_MS) {}

  /** True the first time `key` is seen within the window; later calls inside it are duplicates. */
  admit(key: string, now: number): boolean {
    this.prune(now);
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    return true;
  }

  /** Keys older than the window go, so the map holds at most one window's worth. */
  private prune(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs) break; // insertion order is time order (a re-admitted key is deleted first)
      this.seen.delete(key);
    }
  }
}

/** A sliding window of one minute: at most `perMinute` admitted in any 60 s. */
export class RateLimit {
  private readonly admitted: number[] = [];
  private held = 0;

  constructor(private readonly perMinute: number) {}

  /** Whether one more may go now; one that may not is counted as held back. */
  take(now: number): boolean {
    while (this.admitted.length > 0 && now - this.admitted[0]! >= 60_000) this.admitted.shift();
    if (this.admitted.length >= this.perMinute) {
      this.held++;
      return false;
    }
    this.admitted.push(now);
    return true;
  }

  /** How many were held back since the last call (the count goes with the next delivery). */
  drainHeld(): number {
    const held = this.held;
    this.held = 0;
    return held;
  }
}
