/**
 * claude-agent SDK.
 *
 *   import { connect } from "claude-agent";
 *   const swarm = await connect({ home });
 *   const task = await swarm.submit({ task: "npm test", agent: "testing" });
 *   const result = await task.result();
 *   await swarm.close();
 */
export { connect, type Swarm, type TaskHandle, type ConnectOptions, type SubmitOptions, type SwarmStatus } from "./supervisor/index.js";
export type { TaskResult, TaskStatus, SwarmEvent, SessionInfo, SwarmConfig, AgentConfig } from "./core/index.js";
export { ClaudeAgentError, NotRunningError, NotFoundError, UsageError, ConfigError } from "./core/index.js";
