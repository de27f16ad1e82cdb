/**
 * A circuit breaker for one agent, as a pure state machine (no timers, no I/O:
 * the caller passes the time). `closed`: jobs flow; `threshold` infrastructure
 * failures in a row open it. `open`: no job is taken until `until`. Then
 * `half-open`: one job is let through as a probe; its success closes the
 * breaker, its infrastructure failure opens it again for twice as long (up to
 * `maxOpenMs`). A task's own result (completed, failed by its exit code, timed
 * out) is a success here: only failures of the infrastructure count against it.
 */

export interface BreakerSettings {
  /** Infrastructure failures in a row that open the breaker. */
  readonly threshold: number;
  /** How long it stays open the first time. */
  readonly openMs: number;
  /** The longest open period, however often a probe fails. */
  readonly maxOpenMs: number;
}

export type BreakerState = "closed" | "open" | "half-open";

export type Admission =
  | { readonly allowed: true /** This job is the half-open probe: report its outcome with `probe: true`. */; readonly probe: boolean }
  | { readonly allowed: false /** Ask again after this long. */; readonly retryInMs: number };

export type Transition =
  | {
      readonly kind: "opened";
      readonly until: number;
      readonly openMs: number;
      readonly reason: string /** Opened again because the half-open probe failed. */;
      readonly afterProbe: boolean;
    }
  | { readonly kind: "closed" };

export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** When the open period ends (ms since epoch); 0 while closed. */
  readonly until: number;
  /** The current (or next) open period. */
  readonly openMs: number;
  /** The infrastructure failure that opened it. */
  readonly reason: string;
}

export class Breaker {
  private state: BreakerState = "closed";
  private failures = 0;
  private until = 0;
  private openMs: number;
  private reason = "";
  private probing = false;

  constructor(private readonly settings: BreakerSettings) {
    this.openMs = settings.openMs;
  }

  get snapshot(): BreakerSnapshot {
    return { state: this.state, until: this.state === "closed" ? 0 : this.until, openMs: this.openMs, reason: this.reason };
  }

  /** Whether a job may run now. Past its open period the breaker turns half-open and admits exactly one probe. */
  admit(now: number): Admission {
    if (this.state === "closed") return { allowed: true, probe: false };
    if (this.state === "open") {
      if (now < this.until) return { allowed: false, retryInMs: this.until - now };
      this.state = "half-open";
    }
    // While the probe runs, others ask again soon: the breaker may close any moment.
    if (this.probing) return { allowed: false, retryInMs: Math.min(1_000, this.settings.openMs) };
    this.probing = true;
    return { allowed: true, probe: true };
  }

  /** A job ran to a result of its own. Closes a half-open breaker when it was the probe. */
  succeeded(probe: boolean): Transition | null {
    if (this.state === "closed") {
      this.failures = 0;
      return null;
    }
    if (!probe || this.state !== "half-open") return null; // a job taken before the breaker opened
    this.state = "closed";
    this.failures = 0;
    this.probing = false;
    this.openMs = this.settings.openMs;
    this.reason = "";
    return { kind: "closed" };
  }

  /** A job failed for an infrastructure reason. Opens the breaker at the threshold, or again when the probe failed. */
  failed(now: number, reason: string, probe: boolean): Transition | null {
    if (this.state === "closed") {
      this.failures++;
      this.reason = reason;
      return this.failures >= this.settings.threshold ? this.open(now, this.settings.openMs, reason, false) : null;
    }
    if (!probe || this.state !== "half-open") return null;
    return this.open(now, Math.min(this.settings.maxOpenMs, this.openMs * 2), reason, true);
  }

  /**
   * The probe tested nothing (its task was already settled, or its session
   * died, which crash handling deals with): the next job probes instead.
   */
  released(probe: boolean): void {
    if (probe && this.state === "half-open") this.probing = false;
  }

  /** Open until `until`, as a previous bridge left it (a time already past means half-open: the next job probes). */
  restore(until: number, openMs: number, reason: string): void {
    this.state = "open";
    this.until = until;
    this.openMs = Math.min(this.settings.maxOpenMs, Math.max(this.settings.openMs, openMs));
    this.reason = reason;
    this.probing = false;
  }

  private open(now: number, openMs: number, reason: string, afterProbe: boolean): Transition {
    this.state = "open";
    this.openMs = openMs;
    this.until = now + openMs;
    this.reason = reason;
    this.probing = false;
    return { kind: "opened", until: this.until, openMs, reason, afterProbe };
  }
}
