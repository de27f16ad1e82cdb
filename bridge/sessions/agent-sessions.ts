import type { AgentConfig } from "../../core/index.js";
import type { SessionManager } from "../../sessions/index.js";
import { AgentSession } from "./agent-session.js";
import { SessionPool } from "./session-pool.js";

/**
 * Every replica of every configured agent (`<agent>-<n>`), built once from the
 * config, and each agent's pool of them. The tmux server behind them may be
 * replaced (supervision/tmux-server.ts): `manager` is looked up on every use.
 * `local`: on one host of a swarm with `hosts:`, only the replica numbers placed
 * there (core/hosts); the names keep the swarm's one numbering.
 */
export class AgentSessions {
  readonly pools: ReadonlyMap<string, SessionPool>;
  private readonly byName = new Map<string, AgentSession>();

  constructor(agents: readonly AgentConfig[], manager: () => SessionManager, local?: ReadonlyMap<string, readonly number[]>) {
    const pools = new Map<string, SessionPool>();
    for (const agent of agents) {
      const replicas: AgentSession[] = [];
      const numbers = local ? (local.get(agent.name) ?? []) : Array.from({ length: agent.replicas }, (_, i) => i + 1);
      for (const n of numbers) {
        const session = new AgentSession(`${agent.name}-${n}`, agent.name, manager);
        replicas.push(session);
        this.byName.set(session.name, session);
      }
      pools.set(agent.name, new SessionPool(agent.name, replicas));
    }
    this.pools = pools;
  }

  get all(): readonly AgentSession[] {
    return [...this.byName.values()];
  }

  get names(): readonly string[] {
    return [...this.byName.keys()];
  }

  get(name: string): AgentSession | undefined {
    return this.byName.get(name);
  }

  poolOf(agent: string): SessionPool | undefined {
    return this.pools.get(agent);
  }

  /** Whether every replica of the agent is in a crash loop (none can take a job until one comes back). */
  allFailed(agent: string): boolean {
    const pool = this.pools.get(agent);
    return pool?.sessions.every((session) => session.state === "failed") ?? false;
  }

  /** A shell marker from a pane, to the session that owns the pane. */
  onMarker(paneId: string, fields: string[]): void {
    for (const session of this.byName.values()) if (session.ref?.paneId === paneId) session.onMarker(paneId, fields);
  }
}
