import type { BudgetLimits, Spend } from "../core/index.js";

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
  /** `needs:` of a task step: only an agent whose effective labels include all of them may run it. */
  readonly needs?: readonly string[];
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

/** `output_schema:` of a task step: the JSON Schema its output must satisfy, as read when the workflow was loaded. */
export interface OutputSchema {
  /** The file it came from (absolute), or "<inline>". */
  readonly file: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface TaskStep extends StepBase, Target {
  readonly kind: "task";
  readonly task: string;
  readonly timeoutSec?: number;
  readonly retries: number;
  readonly gate?: string;
  readonly rollback?: RollbackSpec;
  readonly outputSchema?: OutputSchema;
  /** Follow-up prompts with the validation errors before an attempt fails (default 2). */
  readonly schemaRetries: number;
}

export interface ApprovalStep extends StepBase {
  readonly kind: "approval";
  /** The question shown to whoever approves (templated). */
  readonly approval: string;
  /** How long its inbox item waits before it escalates; absent: the swarm's `inbox.escalate_after`. */
  readonly escalateAfterMs?: number;
}

/** One question of an input step; its answer is `{{steps.ID.answers.NAME}}`. */
export interface InputQuestion {
  readonly name: string;
  /** What the person is asked (templated). */
  readonly prompt: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  /** A regular expression the whole answer must match. */
  readonly pattern?: string;
  readonly required: boolean;
}

export interface InputStep extends StepBase {
  readonly kind: "input";
  /** Shown above the questions (templated); may be empty. */
  readonly text: string;
  readonly questions: readonly InputQuestion[];
  readonly escalateAfterMs?: number;
}

export type Step = TaskStep | ApprovalStep | InputStep;

export interface Workflow {
  readonly name: string;
  readonly description?: string;
  /** The file it was read from, or "<inline>". */
  readonly source: string;
  readonly params: readonly ParamSpec[];
  /** `budget:`: what one run may spend; at the limit it starts no new step and asks (run-budget.ts). */
  readonly budget?: BudgetLimits;
  /** In file order, which is also a valid order to list them in (not to run them in). */
  readonly steps: readonly Step[];
}

export const STEP_STATUSES = ["pending", "running", "waiting-approval", "waiting-input", "completed", "failed", "skipped", "cancelled"] as const;
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
  /** Approval and input steps: the inbox item that asks the question. */
  inbox: string | null;
  /** Input steps: the answers, by question name. */
  answers: Record<string, string> | null;
  /** Steps with output_schema: the output parsed and accepted by the schema. */
  json: unknown;
  /** The follow-up prompt of the current attempt after its output failed the schema; null when none runs. */
  fix: RunRecord | null;
  /** Follow-ups sent in the current attempt. */
  fixes: number;
  /** The schema's complaints about the latest output, one per line; null when it passed (or has no schema). */
  schemaErrors: string | null;
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
  /** Runs of a workflow with `budget:`: what its tasks spent and what was answered at the limit. */
  budget?: RunBudgetState;
}

export interface RunBudgetState {
  spent: Spend;
  /** Task ids already counted: each task counts once. */
  counted: string[];
  /** New limits a `raise` answer set. */
  raised: { usd?: number; tokens?: number };
  /** "Continue once" credits: steps that may start past the limit. */
  once: number;
  /** Set while the run is paused at its limit: the item that asks what to do. */
  paused: { item: string; since: string } | null;
}
