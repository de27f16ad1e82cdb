/**
 * Parks an agent's queue while its program is rate limited: its worker stops
 * taking jobs until the limit lifts (plus a margin), instead of failing the
 * next jobs one after another. The time is kept in Redis (`<prefix>:parked`)
 * for `status` and for a restarted bridge, and published as
 * `agent.parked` / `agent.resumed` events.
 */
import type { Redis } from "ioredis";
import type { EventStream, Keys, LogFn } from "../core/index.js";

/** Reset times are to the second and clocks differ a little: resume a bit after. */
export const PARK_MARGIN_MS = 2_000;

export interface ParkingDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly events: EventStream;
  readonly log: LogFn;
  /** Stops the agent's worker from taking jobs (running ones go on). */
  readonly pause: (agent: string) => Promise<void>;
  /** Lets the agent's worker take jobs again (unless something else keeps it paused). */
  readonly resume: (agent: string) => Promise<void>;
  /** How long to park when the program did not say when its limit lifts. */
  readonly defaultMs: number;
  readonly now?: () => number;
}

interface Parked {
  until: number;
  timer: NodeJS.Timeout;
  waiters: Set<() => void>;
}

export class Parking {
  private readonly parked = new Map<string, Parked>();
  private readonly now: () => number;

  constructor(private readonly deps: ParkingDeps) {
    this.now = deps.now ?? Date.now;
  }

  isParked(agent: string): boolean {
    return this.parked.has(agent);
  }

  /** Parks the agent until `resetAt` (ISO) + margin, or for `defaultMs`; a later time extends a parking, an earlier one does not shorten it. */
  async park(agent: string, resetAt: string | null): Promise<void> {
    const reset = resetAt ? Date.parse(resetAt) : Number.NaN;
    const until = Number.isFinite(reset) && reset > this.now() ? reset + PARK_MARGIN_MS : this.now() + this.deps.defaultMs;
    await this.parkUntil(agent, until, resetAt ? `rate limited until ${resetAt}` : "rate limited (no reset time given)");
  }

  /** Parks again the agents a previous bridge had parked, for what is left of their time. */
  async restore(agents: readonly string[]): Promise<void> {
    const stored = await this.deps.redis.hgetall(this.deps.keys.parked);
    for (const [agent, iso] of Object.entries(stored)) {
      const until = Date.parse(iso);
      if (agents.includes(agent) && until > this.now()) await this.parkUntil(agent, until, "still rate limited (parked before a restart)");
      else await this.deps.redis.hdel(this.deps.keys.parked, agent);
    }
  }

  /**
   * Resolves once the agent is not parked: a job a worker took just before
   * the parking waits here instead of hitting the limit again.
   */
  wait(agent: string, signal?: AbortSignal): Promise<void> {
    const entry = this.parked.get(agent);
    if (!entry) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        entry.waiters.delete(done);
        reject(signal?.reason);
      };
      entry.waiters.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): void {
    for (const entry of this.parked.values()) clearTimeout(entry.timer);
    this.parked.clear();
  }

  private async parkUntil(agent: string, until: number, why: string): Promise<void> {
    const existing = this.parked.get(agent);
    if (existing && existing.until >= until) return;
    if (existing) clearTimeout(existing.timer);
    const entry: Parked = { until, waiters: existing?.waiters ?? new Set(), timer: setTimeout(() => void this.unpark(agent), Math.max(0, until - this.now())) };
    this.parked.set(agent, entry);
    const iso = new Date(until).toISOString();
    this.deps.log("agent.parked", { agent, until: iso, why });
    await this.deps.redis.hset(this.deps.keys.parked, agent, iso);
    if (!existing) await this.deps.pause(agent);
    await this.deps.events.publish("agent.parked", { agent, until: iso, message: `${why}; its queue resumes at ${iso}` });
  }

  private async unpark(agent: string): Promise<void> {
    const entry = this.parked.get(agent);
    if (!entry) return;
    this.parked.delete(agent);
    try {
      await this.deps.redis.hdel(this.deps.keys.parked, agent);
      await this.deps.resume(agent);
      await this.deps.events.publish("agent.resumed", { agent, message: "rate limit parking ended" });
      this.deps.log("agent.resumed", { agent });
    } catch (error) {
      this.deps.log("agent.resume-failed", { agent, error });
    } finally {
      for (const wake of entry.waiters) wake();
    }
  }
}
