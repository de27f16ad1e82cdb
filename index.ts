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
export type { TaskResult, TaskStatus, SwarmEvent, SessionInfo, SwarmConfig, AgentConfig, InboxItem, InboxAnswer, InboxQuestion, GivenAnswer } from "./core/index.js";
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
