export { SwarmClient, type SubmitOptions, type Submitted } from "./client.js";
export { connect, type Swarm, type TaskHandle, type ConnectOptions } from "./connect.js";
export { routeTask, type Route } from "./router.js";
export { llmFeatures, apiKeyOf, type LlmFeatures } from "./llm-status.js";
export type { PlannedWorkflow } from "./llm-planner.js";
export { saveSwarmConfig, readSwarmConfig } from "./swarm-config-store.js";
export { SupervisorDaemon, type SupervisorOptions } from "./daemon.js";
export { Sweeper, type RetentionPolicy } from "./sweeper.js";
export type { SwarmStatus, AgentStatus, BreakerStatus, QueueDepth } from "./status.js";
