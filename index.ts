/**
 * claude-agent SDK.
 *
 *   import { connect } from "claude-agent";
 *   const swarm = await connect({ home });
 *   const task = await swarm.submit({ task: "npm test", agent: "testing" });
 *   const result = await task.result();
 *
 *   const run = await swarm.runWorkflow("workflows/examples/deploy-app.yaml", { env: "staging" });
 *   const execution = await run.result(); // its final state: status, steps, outputs
 *   await swarm.close();
 */
import { connect as connectSwarm, type ConnectOptions } from "./supervisor/index.js";
import { withWorkflows, type WorkflowSwarm } from "./workflows/index.js";

/** Connects to the swarm of a home (throws NotRunningError when none runs there); with workflows. */
export async function connect(options: ConnectOptions = {}): Promise<WorkflowSwarm> {
  return withWorkflows(await connectSwarm(options));
}

export type { Swarm, TaskHandle, ConnectOptions, SubmitOptions, SwarmStatus } from "./supervisor/index.js";
export type { TaskResult, TaskStatus, SwarmEvent, SessionInfo, SwarmConfig, AgentConfig } from "./core/index.js";
export { ClaudeAgentError, NotRunningError, NotFoundError, UsageError, ConfigError } from "./core/index.js";
export type {
  WorkflowSwarm,
  WorkflowRun,
  WorkflowClient,
  ParamValue,
  Workflow,
  Step,
  ExecutionState,
  ExecutionStatus,
  StepState,
  StepStatus,
} from "./workflows/index.js";

/**
 * The durable history and memory of a swarm (they work whether or not it runs):
 *   const history = await History.open(home);  const page = await history.tasks({ search: "migration failed" });
 *   await remember({ home, config: null, text: "The API uses zod", actor: "me", via: "sdk" });
 */
export { History, remember, forget, openMemory, targetOfHome, memoryContext } from "./history/index.js";
export type { TaskQuery, Page, TaskSummary, HistoryTask, AuditEntry, MemoryEntry, MemorySearch, MemoryScope, ScopeFilter } from "./history/index.js";
