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
 *
 *   // From another machine, over the swarm's HTTP API (no Redis access needed):
 *   const remote = await connect({ url: "http://127.0.0.1:7433", token: process.env.CLAUDE_AGENT_TOKEN });
 */
import { connectRemote, type RemoteOptions, type RemoteSwarm } from "./api/remote/index.js";
import { connect as connectSwarm, type ConnectOptions } from "./client/index.js";
import { withWorkflows, type WorkflowSwarm } from "./workflows/index.js";

/**
 * Connects to the swarm of a home (throws NotRunningError when none runs
 * there), with workflows; or, given `url` and `token`, to a swarm's HTTP API.
 */
export async function connect(options: RemoteOptions): Promise<RemoteSwarm>;
export async function connect(options?: ConnectOptions): Promise<WorkflowSwarm>;
export async function connect(options: ConnectOptions | RemoteOptions = {}): Promise<WorkflowSwarm | RemoteSwarm> {
  if ("url" in options) return connectRemote(options);
  return withWorkflows(await connectSwarm(options));
}

export type { RemoteOptions, RemoteSwarm, RemoteTaskHandle, RemoteWorkflowRun } from "./api/remote/index.js";
export { AccessError } from "./api/remote/index.js";

export type { Swarm, TaskHandle, ConnectOptions, SubmitOptions, SwarmStatus } from "./client/index.js";
export type {
  TaskResult,
  TaskStatus,
  SwarmEvent,
  SessionInfo,
  SwarmConfig,
  AgentConfig,
  InboxItem,
  InboxAnswer,
  InboxQuestion,
  GivenAnswer,
} from "./core/index.js";
export { ClaudeAgentError, NotRunningError, NotFoundError, UsageError, ConfigError } from "./core/index.js";
export type {
  WorkflowSwarm,
  WorkflowRun,
  WorkflowClient,
  InboxClient,
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
