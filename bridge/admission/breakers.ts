/**
 * The agents' circuit breakers (breaker.ts) with what goes around them: an
 * open breaker is kept in Redis (`<prefix>:breakers`, agent → JSON
 * `{until, openMs, reason}`) for `status` and for a restarted bridge, and
 * published as `agent.breaker-open` / `agent.breaker-closed` events. An open
 * breaker holds the agent's queue (holds.ts), like rate-limit parking, but it
 * is opened by infrastructure failures. It counts this bridge's own sessions'
 * failures and closes only this bridge's worker, so in a swarm spanning hosts
 * it is this host's: its field is `agent@host` (core/hosts/breaker-field.ts),
 * and the other hosts of the agent keep taking its jobs.
 */
import type { Redis } from "ioredis";
import { holdField, isTerminal, parseHoldField, type EventStream, type Keys, type Redactor, type TaskRecord } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import { Breaker, type Admission, type BreakerSettings } from "./breaker.js";
import type { Holds } from "./holds.js";

export interface BreakersDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly events: EventStream;
  readonly log: BridgeLog;
  readonly redact: Redactor;
  readonly settings: BreakerSettings;
  /** Where an open breaker holds its agent's queue (jobs stay waiting, no attempt spent). */
  readonly holds: Holds;
  /** The host this bridge is, in a swarm with `hosts:`; null for a one-host swarm. */
  readonly host?: string | null;
  readonly now?: () => number;
}

/** One job run under its agent's breaker (Breakers.guard). */
export interface GuardedJob {
  readonly run: () => Promise<void>;
  /** The job's task as the ledger has it, or null when it must not be judged (the bridge is closing). */
  readonly read: () => Promise<TaskRecord | null>;
  /** Whether a failure of this task is someone else's business (its session died). */
  readonly excused: (record: TaskRecord) => boolean;
}

/** What `<prefix>:breakers` holds for an agent whose breaker is not closed. */
export interface StoredBreaker {
  until: string;
  openMs: number;
  reason: string;
}

export class Breakers {
  private readonly byAgent = new Map<string, Breaker>();
  private readonly now: () => number;

  constructor(private readonly deps: BreakersDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether the agent's next job may run (see Breaker.admit); if not, its queue is held until it may ask again. */
  async admit(agent: string): Promise<Admission> {
    const admission = this.of(agent).admit(this.now());
    if (admission.allowed && admission.probe) this.deps.log("agent.breaker-probe", { agent });
    if (!admission.allowed) await this.deps.holds.hold({ agent }, "breaker-open", this.now() + admission.retryInMs);
    return admission;
  }

  /**
   * Runs one admitted job of the agent and counts its outcome. A result of
   * its own is a success; a thrown error is an infrastructure failure unless
   * `excused` says it is someone else's business (its session died: crash
   * handling's; the task cannot be read: Redis is away, or the bridge is
   * closing). A probe proves the agent works only when its task reached a
   * pane and ended there. The error is thrown on.
   */
  async guard(agent: string, admission: Admission, job: GuardedJob): Promise<void> {
    const probe = admission.allowed && admission.probe;
    let before: TaskRecord | null = null;
    try {
      if (probe) before = await job.read();
      await job.run();
    } catch (error) {
      const record = await job.read().catch(() => null); // unreadable (Redis away): not judged, as the comment above says
      if (!record || job.excused(record)) this.released(agent, probe);
      else await this.failed(agent, probe, error instanceof Error ? error.message : String(error));
      throw error;
    }
    if (probe) {
      const after = await job.read().catch(() => null); // unreadable: the probe counts as having tested nothing
      const tested = before !== null && !isTerminal(before.status) && after !== null && isTerminal(after.status) && Boolean(after.startedAt);
      if (!tested) return this.released(agent, true);
    }
    await this.succeeded(agent, probe);
  }

  /** A job of the agent ended with a result of its own. */
  async succeeded(agent: string, probe: boolean): Promise<void> {
    if (!this.of(agent).succeeded(probe)) return;
    this.deps.log("agent.breaker-closed", { agent });
    try {
      await this.deps.holds.release({ agent }, "breaker-open");
      await this.deps.redis.hdel(this.deps.keys.breakers, this.field(agent));
      await this.deps.events.publish("agent.breaker-closed", {
        agent,
        ...this.hostData(),
        message: `its probe job ran: the circuit breaker is closed, its queue takes jobs again${this.onHost()}`,
      });
    } catch (error) {
      this.deps.log("agent.breaker-save-failed", { agent, error });
    }
  }

  /** A job of the agent failed for an infrastructure reason. */
  async failed(agent: string, probe: boolean, reason: string): Promise<void> {
    const clean = this.deps.redact(reason);
    const transition = this.of(agent).failed(this.now(), clean, probe);
    if (transition?.kind !== "opened") return;
    const until = new Date(transition.until).toISOString();
    const why = transition.afterProbe ? "its probe job failed too" : `${this.deps.settings.threshold} jobs in a row failed for infrastructure reasons`;
    this.deps.log("agent.breaker-open", { agent, until, openMs: transition.openMs, reason: clean });
    try {
      await this.deps.holds.hold({ agent }, "breaker-open", transition.until);
      const stored: StoredBreaker = { until, openMs: transition.openMs, reason: clean };
      await this.deps.redis.hset(this.deps.keys.breakers, this.field(agent), JSON.stringify(stored));
      await this.deps.events.publish("agent.breaker-open", {
        agent,
        ...this.hostData(),
        until,
        reason: clean,
        message: `circuit breaker open${this.onHost()}: ${why} (last: ${clean}); its queue waits there until ${until}, then one job probes it`,
      });
    } catch (error) {
      this.deps.log("agent.breaker-save-failed", { agent, error });
    }
  }

  /** A job that tested nothing about the agent (see Breaker.released). */
  released(agent: string, probe: boolean): void {
    this.of(agent).released(probe);
  }

  /** Opens again the breakers a previous bridge left open (half-open when their time has passed). */
  async restore(agents: readonly string[]): Promise<void> {
    const stored = await this.deps.redis.hgetall(this.deps.keys.breakers);
    const host = this.deps.host ?? null;
    for (const [field, json] of Object.entries(stored)) {
      const { agent, host: of } = parseHoldField(field);
      // Another host's breaker is that host's to keep and to close.
      if (of !== host) continue;
      const entry = parseStored(json);
      if (!entry || !agents.includes(agent)) {
        await this.deps.redis.hdel(this.deps.keys.breakers, field);
        continue;
      }
      this.of(agent).restore(Date.parse(entry.until), entry.openMs, entry.reason);
      this.deps.log("agent.breaker-restored", { agent, until: entry.until, reason: entry.reason });
      // Held from the start, like a parking (a time already past holds nothing: the next job probes).
      await this.deps.holds.hold({ agent }, "breaker-open", Date.parse(entry.until));
    }
  }

  private field(agent: string): string {
    return holdField(agent, this.deps.host ?? null);
  }

  private hostData(): { host?: string } {
    return this.deps.host ? { host: this.deps.host } : {};
  }

  private onHost(): string {
    return this.deps.host ? ` on host ${this.deps.host}` : "";
  }

  private of(agent: string): Breaker {
    let breaker = this.byAgent.get(agent);
    if (!breaker) this.byAgent.set(agent, (breaker = new Breaker(this.deps.settings)));
    return breaker;
  }
}

export function parseStored(json: string | undefined): StoredBreaker | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<StoredBreaker>;
    if (typeof value.until !== "string" || !Number.isFinite(Date.parse(value.until))) return null;
    return { until: value.until, openMs: typeof value.openMs === "number" ? value.openMs : 0, reason: typeof value.reason === "string" ? value.reason : "" };
  } catch {
    return null;
  }
}
