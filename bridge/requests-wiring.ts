import type { BridgeBase } from "./bridge-base.js";
import { SessionRequests } from "./session-requests.js";
import type { AgentSessions, SessionStates } from "./sessions/index.js";
import type { SessionSupervisor } from "./supervision/index.js";

/**
 * Builds what carries out clients' requests of a session (TUI, CLI, API), acting only on this bridge's own
 * sessions: a restart kills the program and supervision's session-gone path brings it back; a hold (a person
 * took the terminal over) gives the session no new task until it ends or is handed back, and both are
 * published so that every client shows who holds it.
 */
export function sessionRequests(base: BridgeBase, sessions: AgentSessions, states: SessionStates, supervisor: SessionSupervisor): SessionRequests {
  const { keys, host, connect, log } = base;
  return new SessionRequests({
    connect,
    keys,
    host,
    log,
    restart: async (name, reason) => {
      const session = sessions.get(name);
      if (!session) throw new Error(`no session named ${name}`);
      await supervisor.recycle(session, reason);
    },
    hold: (name, untilMs, actor) => {
      const session = sessions.get(name);
      const held = session ? (sessions.pools.get(session.agent)?.hold(name, untilMs) ?? false) : false;
      if (held) void states.takenOver(name, actor, untilMs).catch((error: unknown) => log("session-request.failed", { session: name, error }));
      return held;
    },
    handBack: async (name) => {
      const session = sessions.get(name);
      if (session) sessions.pools.get(session.agent)?.handBack(name);
      await states.handedBack(name).catch((error: unknown) => log("session-request.failed", { session: name, error }));
    },
  });
}
