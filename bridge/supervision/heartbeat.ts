import { processAlive } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { AgentSession, SessionStates } from "../sessions/index.js";

/**
 * Every live session's heartbeat, every `everyMs`: its pane's process is
 * checked (tmux reports a pane that exits; this also catches one whose exit
 * the control client missed) and `heartbeatAt` is written for all of them in
 * one round trip, so `status` can tell a session this bridge still watches.
 */
export class SessionHeartbeat {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      readonly sessions: () => Iterable<AgentSession>;
      readonly states: SessionStates;
      /** A session whose pane's process is gone. */
      readonly onGone: (session: AgentSession, reason: string) => void;
      readonly log: BridgeLog;
    },
    everyMs: number,
  ) {
    this.timer = setInterval(() => void this.beat(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    const live: AgentSession[] = [];
    for (const session of this.deps.sessions()) {
      if (!session.ref || session.state === "down" || session.state === "failed") continue;
      if (!processAlive(session.ref.panePid)) {
        this.deps.onGone(session, `its pane's process (pid ${session.ref.panePid}) is gone (found by the heartbeat)`);
        continue;
      }
      live.push(session);
    }
    await this.deps.states.heartbeat(live).catch((error) => this.deps.log("heartbeat.failed", { error }));
  }
}
