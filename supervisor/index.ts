export { routeTask, type Route } from "./router.js";
export { routeByLlm, summarizeTask, planWorkflow } from "./llm.js";
export { llmFeatures, apiKeyOf, type LlmFeatures } from "./llm-status.js";
export type { PlannedWorkflow } from "./llm-planner.js";
export { SupervisorDaemon, type SupervisorOptions, type QueueJobs } from "./daemon.js";
export { Sweeper, type RetentionPolicy } from "./sweeper.js";
export {
  Notifier,
  tryTargets,
  unusableTargets,
  DEFAULT_DELIVERY,
  type NotifierOptions,
  type TargetReport,
  type NotifyMessage,
  type TaskFacts,
} from "./notify/index.js";
export { LeaderLease, type LeaderLeaseOptions, type LeaderTerm } from "./leader-lease.js";
export { nextStep, afterRenewal, type LeaseStep } from "./leader-rules.js";
export { FailedTasksInbox, failedTaskItem, type FailedTasksDeps } from "./failed-tasks.js";
