import type { TemplateContext, StepValues } from "./template.js";
import type { ExecutionState, RunRecord, Step, StepState, StepStatus, Workflow } from "./types.js";

/**
 * Pure changes to an execution's state, used inside store mutations. Each one
 * checks nothing about who calls it; the callers guard (`status === "running"`)
 * so a late writer cannot undo what a cancel or an approval already decided.
 */

export const OPEN: readonly StepStatus[] = ["pending", "running", "waiting-approval", "waiting-input"];

/** Waiting for a person: an answer through the inbox (or `approve`/`reject`). */
export const WAITING: readonly StepStatus[] = ["waiting-approval", "waiting-input"];

export function newStepState(): StepState {
  return {
    status: "pending",
    attempts: 0,
    taskId: null,
    agent: null,
    exitCode: null,
    output: "",
    task: null,
    startedAt: null,
    attemptStartedAt: null,
    finishedAt: null,
    reason: null,
    retryAt: null,
    skip: null,
    gate: null,
    rollback: null,
    inbox: null,
    answers: null,
    json: null,
    fix: null,
    fixes: 0,
    schemaErrors: null,
  };
}

export function newRun(startedAt: string): RunRecord {
  return { status: "running", taskId: null, exitCode: null, output: "", startedAt, finishedAt: null };
}

export function newExecution(id: string, workflow: Workflow, params: Record<string, string>, at: string): ExecutionState {
  return {
    id,
    workflow: workflow.name,
    definition: workflow,
    params,
    status: "running",
    steps: Object.fromEntries(workflow.steps.map((s) => [s.id, newStepState()])),
    completionOrder: [],
    halt: null,
    reason: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  };
}

export function stepOf(state: ExecutionState, id: string): Step | undefined {
  return state.definition.steps.find((s) => s.id === id);
}

/** Done as far as dependents go: completed, or skipped because its own `when` was false. */
export function isSatisfied(st: StepState | undefined): boolean {
  return st?.status === "completed" || (st?.status === "skipped" && st.skip === "condition");
}

export function completeStep(state: ExecutionState, id: string, at: string): void {
  const st = state.steps[id];
  if (st === undefined) return;
  Object.assign(st, { status: "completed", finishedAt: at, retryAt: null });
  state.completionOrder.push(id);
}

/** Marks the step failed and applies its policy: `fail` and `rollback` halt the execution. */
export function failStep(state: ExecutionState, id: string, reason: string, at: string): void {
  const st = state.steps[id];
  if (st === undefined) return;
  Object.assign(st, { status: "failed", finishedAt: at, reason, retryAt: null });
  const policy = stepOf(state, id)?.onFailure ?? "fail";
  if (policy !== "continue" && state.halt === null) state.halt = { step: id, policy, reason };
}

export function skipStep(state: ExecutionState, id: string, skip: "condition" | "upstream", reason: string, at: string): void {
  const st = state.steps[id];
  if (st !== undefined) Object.assign(st, { status: "skipped", skip, reason, finishedAt: at });
}

/** Cancels every step still open; returns the ids of tasks that may still be running somewhere. */
export function cancelOpenSteps(state: ExecutionState, reason: string, at: string): string[] {
  const taskIds: string[] = [];
  for (const st of Object.values(state.steps)) {
    if (!OPEN.includes(st.status)) continue;
    if (st.status === "running") {
      const live = st.fix?.status === "running" ? st.fix.taskId : st.gate?.status === "running" ? st.gate.taskId : st.taskId;
      if (live !== null && live !== undefined) taskIds.push(live);
    }
    Object.assign(st, { status: "cancelled", reason, finishedAt: at, retryAt: null });
  }
  return taskIds;
}

export function finishExecution(state: ExecutionState, status: "completed" | "failed" | "cancelled", reason: string | null, at: string): void {
  Object.assign(state, { status, reason, finishedAt: at, updatedAt: at });
}

/** What templates of `id` may see: params, and the results of finished steps (its own when `self`). */
export function templateContext(state: ExecutionState, id: string, self: boolean): TemplateContext {
  const steps: Record<string, StepValues> = {};
  for (const [stepId, st] of Object.entries(state.steps)) {
    if (isSatisfied(st) || (self && stepId === id)) {
      steps[stepId] = { output: st.output, exitCode: st.exitCode, answers: st.answers, ...(st.json !== null && st.json !== undefined && { json: st.json }) };
    }
  }
  return { params: state.params, steps };
}
