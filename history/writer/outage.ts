import type { Redis } from "ioredis";
import type { EventStream, LogFn } from "../../core/index.js";

/**
 * Reports the history store's outages: once when writes start failing and
 * once when they succeed again, to the log, the person who started the
 * daemon, the event stream, and a Redis hash (`<prefix>:history`) that status
 * commands read. Publishing is best effort: Redis may be what is failing.
 */
export class OutageReport {
  private since: number | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly events: EventStream,
    private readonly stateKey: string,
    /** The store as people know it (`describeTarget`). */
    private readonly store: string,
    private readonly log: LogFn,
    private readonly progress: ((line: string) => void) | undefined,
  ) {}

  /** A write failed: reported only if the store was not already known to be down. */
  async degraded(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (this.since !== null) return;
    this.since = Date.now();
    const text = `history store ${this.store} unavailable: ${message}; events wait in Redis and are written when it is back (tasks keep running)`;
    this.log("history.degraded", { error: message });
    this.progress?.(`history: ${text}`);
    await this.events
      .publish("history.degraded", { message: text })
      .catch((error: unknown) => this.log("history.report-failed", { event: "history.degraded", error }));
    await this.redis
      .hset(this.stateKey, { state: "degraded", since: new Date(this.since).toISOString(), error: message })
      .catch((error: unknown) => this.log("history.report-failed", { state: "degraded", error }));
  }

  /** Called once the backlog is written: reports the end of an outage, if there was one. */
  async recovered(): Promise<void> {
    if (this.since === null) return;
    const seconds = Math.round((Date.now() - this.since) / 1000);
    this.since = null;
    const text = `history store ${this.store} is back after ${seconds} s; the events that waited are being written`;
    this.log("history.recovered", { seconds });
    this.progress?.(`history: ${text}`);
    await this.events
      .publish("history.recovered", { message: text })
      .catch((error: unknown) => this.log("history.report-failed", { event: "history.recovered", error }));
    await this.redis
      .hset(this.stateKey, { state: "ok", since: new Date().toISOString(), error: "" })
      .catch((error: unknown) => this.log("history.report-failed", { state: "ok", error }));
  }
}
