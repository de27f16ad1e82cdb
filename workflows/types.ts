/**
 * The normalized workflow every module downstream of parse.ts receives, and
 * the durable state of one execution of it (what the store keeps in Redis).
 */

export type FailurePolicy = "fail" | "continue" | "rollback";
export const FAILURE_POLICIES: readonly FailurePolicy[] = ["fail", "continue", "rollback"];

export interface ParamSpec {
  readonly name: string;
  readonly required: boolean;
  /** Always a string once normalized (YAML `default: 3` becomes "3"); undefined when there is none. */
  readonly default?: string;
  readonly description?: string;
}

/** Where a task goes: a named agent, or free text the supervisor routes. Exactly one is set. */
export interface Target {
  readonly agent?: string;
  readonly route?: string;
}

export interface RollbackSpec extends Target {
  readonly task: string;
}

interface StepBase {
  readonly id: string;
  readonly dependsOn: readonly string[];
  /** A condition template (see condition.ts); the step is `skipped` when it is false. */
  readonly when?: string;
  readonly onFailure: FailurePolicy;
}

export interface TaskStep extends StepBase, Target {
  readonly kind: "task";
  readonly task: string;
  readonly timeoutSec?: number;
  readonly retries: number;
  readonly gate?: string;
  readonly rollback?: RollbackSpec;
}

export interface ApprovalStep extends StepBase {
  readonly kind: "approval";
  /** The question shown to whoever approves (templated). */
  readonly approval: string;
}

export type Step = TaskStep | ApprovalStep;

export interface Workflow {
  readonly name: string;
  readonly description?: string;
  /** The file it was read from, or "<inline>". */
  readonly source: string;
  readonly params: readonly ParamSpec[];
  /** In file order, which is also a valid order to list them in (not to run them in). */
  readonly steps: readonly Step[];
}

export const STEP_STATUSES = [
  "pending",
  "running",
  "waiting-approval",
  "completed",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const EXECUTION_STATUSES = ["running", "completed", "failed", "cancelled"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const RUN_STATUSES = ["running", "completed", "failed", "timeout", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One gate or rollback run of a step. */
export interface RunRecord {
  status: RunStatus;
  taskId: string | null;
  exitCode: number | null;
  output: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface StepState {
  status: StepStatus;
  /** Attempts started so far; attempt N's runner key ends in `:N`. */
  attempts: number;
  taskId: string | null;
  /** The agent that ran the task, when the runner said (gates run there too). */
  agent: string | null;
  exitCode: number | null;
  output: string;
  /** The rendered task text, or the approval question. */
  task: string | null;
  startedAt: string | null;
  attemptStartedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  /** Set while waiting to start attempt `attempts + 1`. */
  retryAt: string | null;
  /** Why a skipped step was skipped: its `when` was false (counts as done) or an upstream step failed. */
  skip: "condition" | "upstream" | null;
  /** The gate run of the current attempt; non-null means the attempt's task itself completed. */
  gate: RunRecord | null;
  rollback: RunRecord | null;
}

/** Set when a step failed under `fail` or `rollback`: nothing new is scheduled after that. */
export interface Halt {
  step: string;
  policy: "fail" | "rollback";
  reason: string;
}

export interface ExecutionState {
  id: string;
  /** The workflow's name. */
  workflow: string;
  /** The workflow as it was when the execution started; resume runs this, not the file of today. */
  definition: Workflow;
  params: Record<string, string>;
  status: ExecutionStatus;
  steps: Record<string, StepState>;
  /** Step ids in the order they completed (rollback runs them backwards). */
  completionOrder: string[];
  halt: Halt | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}
