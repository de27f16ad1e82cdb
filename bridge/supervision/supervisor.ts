import type { BridgeLog } from "../log-events.js";
import type { AgentSession, AgentSessions, SessionStates } from "../sessions/index.js";
import { BringUp, type BringUpDeps } from "./bring-up.js";
import { SessionHeartbeat } from "./heartbeat.js";
import { ProgramVersions } from "./program-versions.js";
import { Readoption } from "./readoption.js";
import { Restarts, type RestartsDeps } from "./restarts.js";

export interface SupervisorDeps extends Omit<BringUpDeps, "readoption" | "versions" | "log">, Pick<RestartsDeps, "tuning"> {
  readonly sessions: AgentSessions;
  readonly states: SessionStates;
  readonly readoption: ConstructorParameters<typeof Readoption>[0];
  readonly heartbeatMs: number;
  readonly log: BridgeLog;
  /** Every session of the swarm, on any host: records of others are stale and pruned (default: this bridge's sessions). */
  readonly swarmSessions?: readonly string[];
}

/**
 * Session supervision: brings every replica up (adopting a job still running
 * in its pane), restarts one that dies, marks a crash loop failed, follows a
 * restart of the whole tmux server, and beats each live session's heartbeat.
 */
export class SessionSupervisor {
  private readonly bringUp: BringUp;
  private readonly restarts: Restarts;
  private heartbeat: SessionHeartbeat | null = null;

  constructor(private readonly deps: SupervisorDeps) {
    const readoption = new Readoption(deps.readoption);
    this.bringUp = new BringUp({ ...deps, readoption, versions: new ProgramVersions() });
    this.restarts = new Restarts({ ...deps, bringUp: (session) => this.bringUp.up(session) });
  }

  async start(): Promise<void> {
    const { sessions, tmux } = this.deps;
    const gone = (name: string, reason: string) => void this.restarts.onGone(name, reason);
    tmux.listen({
      marker: (paneId, fields) => sessions.onMarker(paneId, fields),
      sessionGone: gone,
      serverGone: (reason) => sessions.names.forEach((name) => gone(name, reason)),
    });
    await this.deps.states.prune(this.deps.swarmSessions ?? sessions.names);
    await Promise.all(sessions.all.map((session) => this.bringUp.up(session)));
    this.heartbeat = new SessionHeartbeat(
      { sessions: () => sessions.all, states: this.deps.states, onGone: (session, reason) => gone(session.name, reason), log: this.deps.log },
      this.deps.heartbeatMs,
    );
  }

  /** Replaces a session whose pane no longer obeys Ctrl-C; `planned`: a restart of the bridge's choosing, not counted as a crash. */
  recycle(session: AgentSession, reason: string, planned = false): Promise<void> {
    return this.restarts.recycle(session, reason, planned);
  }

  /** Stops restarting and beating, and lets go of the tmux server; the panes and their jobs run on. */
  async close(): Promise<void> {
    this.restarts.close();
    this.heartbeat?.stop();
    await this.deps.tmux.close();
  }
}
