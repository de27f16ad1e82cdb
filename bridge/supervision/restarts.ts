import type { EventStream } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { AgentSession, AgentSessions, SessionStates } from "../sessions/index.js";
import type { BridgeTuning } from "../tuning.js";
import type { TmuxWatch } from "./tmux-watch.js";

export interface RestartsDeps {
  readonly sessions: AgentSessions;
  readonly states: SessionStates;
  readonly events: EventStream;
  readonly tmux: TmuxWatch;
  readonly bringUp: (session: AgentSession) => Promise<void>;
  /** A session's crash state changed: the agent's crash-loop hold is reviewed (admission). */
  readonly crashLoop: (agent: string) => Promise<void>;
  readonly tuning: Pick<BridgeTuning, "crashLimit" | "crashWindowMs" | "failedProbeMs">;
  readonly log: BridgeLog;
}

/**
 * Restarts dead sessions with exponential backoff (0.5 s, 1 s, 2 s … 30 s).
 * A crash loop (crashLimit deaths within crashWindowMs) marks the session
 * `failed` and only probes it every failedProbeMs; while every replica of an
 * agent has failed, admission holds its queue so that its jobs wait instead
 * of failing one after another.
 */
export class Restarts {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: RestartsDeps) {}

  /** `planned`: the bridge ended the program on purpose (see recycle), so this is no death of the crash loop's. */
  async onGone(name: string, reason: string, planned = false): Promise<void> {
    const session = this.deps.sessions.get(name);
    if (!session || session.state === "down" || this.closed) return;
    session.markDown(reason);
    await this.publish(session);
    await this.deps.events
      .publish("agent.down", { agent: session.agent, session: name, message: reason })
      .catch((error) => this.deps.log("session.event-failed", { session: name, event: "agent.down", error }));
    this.schedule(session, 0, planned);
  }

  /**
   * Kills a session whose pane ignores Ctrl-C (and so the job stuck in it) and starts a fresh one in its place.
   * `planned`: a restart the bridge wants between tasks (its program must start with another account), not a
   * fault: it does not count toward the crash loop, so a few account moves never mark the session failed.
   */
  async recycle(session: AgentSession, reason: string, planned = false): Promise<void> {
    await this.deps.tmux.current.kill(session.name); // forgotten by the manager first: no session-gone event of its own
    await this.onGone(session.name, reason, planned);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private schedule(session: AgentSession, attempt: number, planned = false): void {
    const { tuning } = this.deps;
    if (attempt === 0 && !planned) {
      const crashes = session.recordCrash(Date.now(), tuning.crashWindowMs);
      if (crashes >= tuning.crashLimit && session.state !== "failed") {
        session.markFailed();
        void this.crashLooping(session, crashes);
      }
    }
    const delay = session.state === "failed" ? tuning.failedProbeMs : Math.min(30_000, 500 * 2 ** attempt);
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (this.closed) return;
      try {
        if (!this.deps.tmux.current.alive) throw new Error("tmux server is gone");
        session.recordRestart();
        await this.deps.bringUp(session);
      } catch (error) {
        this.deps.log("session.restart-failed", { session: session.name, attempt, error });
        this.schedule(session, attempt + 1);
      }
    }, delay);
    this.timers.add(timer);
  }

  private async crashLooping(session: AgentSession, crashes: number): Promise<void> {
    const { tuning } = this.deps;
    const message = `${crashes} crashes within ${tuning.crashWindowMs / 1000} s; probing every ${tuning.failedProbeMs / 1000} s`;
    this.deps.log("session.failed", { session: session.name, message });
    // The event before the state: whoever sees `failed` in status finds the event that says why.
    await this.deps.events
      .publish("agent.failed", { agent: session.agent, session: session.name, message })
      .catch((error) => this.deps.log("session.event-failed", { session: session.name, event: "agent.failed", error }));
    await this.publish(session);
    await this.deps.crashLoop(session.agent);
  }

  private async publish(session: AgentSession): Promise<void> {
    await this.deps.states.publish(session).catch((error) => this.deps.log("session.publish-failed", { session: session.name, error }));
  }
}
