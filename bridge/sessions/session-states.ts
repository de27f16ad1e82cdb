import { hostname } from "node:os";
import type { ChainableCommander, Redis } from "ioredis";
import type { Keys } from "../../core/index.js";
import type { AgentSession } from "./agent-session.js";

/**
 * Publishes each session's state to Redis (`<prefix>:session:<name>`), where
 * `status`, the TUI and a restarted bridge read it. Written on change only.
 */
export class SessionStates {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    /** The session's host: its name in swarm.yaml's `hosts:`, else this machine's hostname. */
    readonly host: string = hostname(),
  ) {}

  async publish(session: AgentSession): Promise<void> {
    const multi = this.redis.multi();
    this.publishIn(multi, session);
    await multi.exec();
  }

  /** The session's state as commands of a caller's transaction (a freed session, published with the result that frees it). */
  publishIn(multi: ChainableCommander, session: AgentSession): void {
    multi
      .hset(this.keys.session(session.name), {
        name: session.name,
        agent: session.agent,
        state: session.state,
        currentTask: session.currentTask ?? "",
        completed: session.completed,
        failed: session.failed,
        restarts: session.restarts,
        startedAt: session.startedAt ?? "",
        heartbeatAt: new Date().toISOString(),
        host: this.host,
        agentState: session.agentState ?? "",
        needsInput: session.needsInput ?? "",
        programVersion: session.programVersion ?? "",
        drift: session.drift ?? "",
      })
      .sadd(this.keys.sessions, session.name);
  }

  /** One round trip for every session's heartbeat (their other fields are written on change). */
  async heartbeat(sessions: readonly AgentSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const at = new Date().toISOString();
    const batch = this.redis.pipeline();
    for (const session of sessions) batch.hset(this.keys.session(session.name), "heartbeatAt", at);
    await batch.exec();
  }

  /**
   * A person took the session over until `untilMs` (renewed while they type): `status`, the TUI and
   * the dashboard show who and since when. Readers compare the time, so a hold that lapsed with
   * its daemon reads as handed back without anyone clearing it.
   */
  async takenOver(name: string, by: string, untilMs: number): Promise<void> {
    const key = this.keys.session(name);
    const since = await this.redis.hget(key, "takenOverBy");
    const batch = this.redis.multi().hset(key, { takenOverBy: by, takenOverUntil: String(untilMs) });
    if (since !== by) batch.hset(key, "takenOverSince", new Date().toISOString());
    await batch.exec();
  }

  async handedBack(name: string): Promise<void> {
    await this.redis.hdel(this.keys.session(name), "takenOverBy", "takenOverSince", "takenOverUntil");
  }

  async currentTask(name: string): Promise<string | null> {
    return (await this.redis.hget(this.keys.session(name), "currentTask")) || null;
  }

  /** Forgets sessions that are no longer in the config. */
  async prune(keep: readonly string[]): Promise<void> {
    const known = await this.redis.smembers(this.keys.sessions);
    const stale = known.filter((name) => !keep.includes(name));
    if (stale.length === 0) return;
    await this.redis
      .multi()
      .srem(this.keys.sessions, ...stale)
      .del(...stale.map((name) => this.keys.session(name)))
      .exec();
  }
}
