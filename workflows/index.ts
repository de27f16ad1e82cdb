export type * from "./types.js";
export { FAILURE_POLICIES, STEP_STATUSES, EXECUTION_STATUSES, RUN_STATUSES } from "./types.js";
export { agentLabels, parseWorkflow, workflowFromObject, type ParseOptions } from "./parse.js";
export { resolveParams } from "./params.js";
export { renderShell, envName, shellProblems, type ShellRendering } from "./shell-render.js";
export { shellWarnings } from "./shell-warnings.js";
export { renderTemplate, templateRefs, type TemplateRef, type TemplateContext, type StepValues } from "./template.js";
export { checkCondition, evaluateCondition, evaluateWhen, parseCondition, type Condition, type Operand } from "./condition.js";
export { findCycles } from "./cycles.js";
export { WorkflowEngine, createExecution, type StartOptions } from "./engine.js";
export { defaultBackoffMs, type EngineOptions, type Emit } from "./context.js";
export {
  idempotencyKey,
  isDetached,
  Detached,
  type RenderMode,
  type Resolved,
  type RunKind,
  type StepOutcome,
  type StepRequest,
  type StepRunner,
} from "./runner.js";
export { MemoryExecutionStore, type ExecutionStore, type Mutation } from "./store.js";
export { RedisExecutionStore, type ExecutionRetention, type FinishedExecution, type StoreFence } from "./redis-store.js";
export { parseExecutionState } from "./state-schema.js";
export { SwarmStepRunner, outcomeOf } from "./swarm-runner.js";
export { WorkflowService, type WorkflowServiceOptions } from "./service.js";
export { WorkflowClient, readWorkflowFile } from "./client.js";
export { withWorkflows, type WorkflowSwarm, type WorkflowRun, type ParamValue } from "./sdk.js";
export { StreamEmitter, streamFields } from "./events.js";
export { inboxKey, notifyDaemon } from "./inbox.js";
export { InboxClient } from "./inbox-client.js";
export type { InboxPort } from "./inbox-items.js";
export { checkOutput, extractJson, loadOutputSchema, type SchemaCheck } from "./output-schema.js";
