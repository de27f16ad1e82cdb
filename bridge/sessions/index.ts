export { AgentSession, WaitTimeout, type AgentSessionState } from "./agent-session.js";
export { SessionPool } from "./session-pool.js";
export { SessionStates } from "./session-states.js";
export { AgentSessions } from "./agent-sessions.js";
