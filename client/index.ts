export { SwarmClient } from "./client.js";
export type { SubmitOptions, Submitted } from "./task-submit.js";
export { connect, type Swarm, type TaskHandle, type ConnectOptions } from "./connect.js";
export type { HostStatus, LeaderStatus } from "./host-status.js";
export type { SwarmStatus, AgentStatus, AccountsStatus, BreakerStatus, BudgetStatus, QueueDepth } from "./status.js";
export { breakerHolds } from "./status.js";
export { listTasks, type TaskListOptions, type TaskPage } from "./task-list.js";
export { setAgentPaused, isAgentPaused } from "./agent-queues.js";
export { saveSwarmConfig, readSwarmConfig } from "./swarm-config-store.js";
/** Not for the SDK (the package's index.ts does not export it): the daemon's parts, the API, history and the CLI. */
export { clientInternals, type ClientInternals } from "./internals.js";
export { matchSession, placeAttach, type AttachHere, type AttachPlace } from "./attach-target.js";
