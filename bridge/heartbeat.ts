import { processAlive, type LogFn } from "../core/index.js";
import type { AgentSession } from "./agent-session.js";
import type { SessionRegistry } from "./registry.js";

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
      readonly registry: SessionRegistry;
      /** A session whose pane's process is gone. */
      readonly onGone: (session: AgentSession, reason: string) => void;
      readonly log: LogFn;
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
    await this.deps.registry.heartbeat(live).catch((error) => this.deps.log("heartbeat.failed", { error }));
  }
}
