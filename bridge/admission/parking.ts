/**
 * Parks an agent's queue while its program is rate limited: it is held
 * (holds.ts) until the limit lifts (plus a margin), instead of failing the
 * next jobs one after another. The time is kept in Redis (`<prefix>:parked`)
 * for `status` and for a restarted bridge, and published as
 * `agent.parked` / `agent.resumed` events.
 *
 * A parking holds only this bridge's worker, and in a swarm spanning hosts it
 * is this host's: its field is `agent@host` (as a breaker's,
 * core/hosts/breaker-field.ts). A limit belongs to the account the program
 * runs with; a host whose program has an account of its own, or whose
 * account's limit has not been reached yet, goes on taking the agent's jobs,
 * and a host that hits the same limit parks itself when it does.
 */
import type { Redis } from "ioredis";
import { holdField, parseHoldField, type EventStream, type Keys } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { Holds, HoldScope } from "./holds.js";

/** Reset times are to the second and clocks differ a little: resume a bit after. */
export const PARK_MARGIN_MS = 2_000;

export interface ParkingDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly events: EventStream;
  readonly log: BridgeLog;
  readonly holds: Holds;
  /** How long to park when the program did not say when its limit lifts. */
  readonly defaultMs: number;
  /** The host this bridge is, in a swarm with `hosts:`; null for a one-host swarm. */
  readonly host?: string | null;
  readonly now?: () => number;
}

export class Parking {
  private readonly now: () => number;

  constructor(private readonly deps: ParkingDeps) {
    this.now = deps.now ?? Date.now;
    deps.holds.whenReleased("parked", (scope) => this.resumed(scope));
  }

  isParked(agent: string): boolean {
    return this.deps.holds.reasons({ agent }).includes("parked");
  }

  /** Parks the agent until `resetAt` (ISO) + margin, or for `defaultMs`; a later time extends a parking, an earlier one does not shorten it. */
  async park(agent: string, resetAt: string | null): Promise<void> {
    const reset = resetAt ? Date.parse(resetAt) : Number.NaN;
    const until = Number.isFinite(reset) && reset > this.now() ? reset + PARK_MARGIN_MS : this.now() + this.deps.defaultMs;
    await this.parkUntil(agent, until, resetAt ? `rate limited until ${resetAt}` : "rate limited (no reset time given)");
  }

  /** Parks again the agents a previous bridge of this host had parked, for what is left of their time. */
  async restore(agents: readonly string[]): Promise<void> {
    const stored = await this.deps.redis.hgetall(this.deps.keys.parked);
    const host = this.deps.host ?? null;
    for (const [field, iso] of Object.entries(stored)) {
      const { agent, host: of } = parseHoldField(field);
      // Another host's parking is that host's to keep and to end.
      if (of !== host) continue;
      const until = Date.parse(iso);
      if (agents.includes(agent) && until > this.now()) await this.parkUntil(agent, until, "still rate limited (parked before a restart)");
      else await this.deps.redis.hdel(this.deps.keys.parked, field);
    }
  }

  /**
   * Resolves once the agent is not parked: a job a worker took just before
   * the parking waits here instead of hitting the limit again.
   */
  wait(agent: string, signal?: AbortSignal): Promise<void> {
    return this.deps.holds.wait({ agent }, signal);
  }

  private async parkUntil(agent: string, until: number, why: string): Promise<void> {
    if (!(await this.deps.holds.hold({ agent }, "parked", until))) return;
    const iso = new Date(until).toISOString();
    this.deps.log("agent.parked", { agent, until: iso, why });
    await this.deps.redis.hset(this.deps.keys.parked, this.field(agent), iso);
    const where = this.deps.host ? ` on host ${this.deps.host} (its other hosts go on taking its jobs)` : "";
    await this.deps.events.publish("agent.parked", { agent, ...this.hostData(), until: iso, message: `${why}; its queue resumes${where} at ${iso}` });
  }

  private field(agent: string): string {
    return holdField(agent, this.deps.host ?? null);
  }

  private hostData(): { host?: string } {
    return this.deps.host ? { host: this.deps.host } : {};
  }

  private async resumed({ agent }: HoldScope): Promise<void> {
    try {
      await this.deps.redis.hdel(this.deps.keys.parked, this.field(agent));
      await this.deps.events.publish("agent.resumed", { agent, ...this.hostData(), message: "rate limit parking ended" });
      this.deps.log("agent.resumed", { agent });
    } catch (error) {
      this.deps.log("agent.resume-failed", { agent, error });
    }
  }
}
