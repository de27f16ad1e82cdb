import type { EngineDeps } from "./context.js";
import { stepTarget, type RenderedRun } from "./render-step.js";
import { callRunner, idempotencyKey, watchdogMs, type CallResult, type RunKind, type StepOutcome } from "./runner.js";
import type { StepState, Target, TaskStep } from "./types.js";

/** Where a running step is, read from its record: waiting to retry, running its task, or its gate. */
export type Phase = "task" | "fix" | "gate" | "backoff";

export function phaseOf(st: StepState): Phase | null {
  if (st.retryAt !== null) return "backoff";
  if (st.fix?.status === "running") return "fix";
  if (st.gate === null) return "task";
  return st.gate.status === "running" ? "gate" : null;
}

export function reasonOf(outcome: StepOutcome, what: string): string {
  if (outcome.status === "timeout") return `${what} timed out`;
  if (outcome.exitCode !== null) return `${what} failed (exit ${outcome.exitCode})`;
  return outcome.reason !== undefined && outcome.reason !== "" ? `${what} failed: ${outcome.reason}` : `${what} failed`;
}

/** Where the task, gate or follow-up of a step goes: gates and follow-ups run where the task ran when the runner said where, otherwise where the step says. */
export function targetOf(st: StepState, step: TaskStep, kind: Exclude<RunKind, "rollback">): Target {
  if (kind === "step" || st.agent === null) return stepTarget(step);
  return { agent: st.agent };
}

/**
 * Runs the task or the gate of a step's current attempt, rendered for its target
 * (render-step.ts). The task id is recorded as soon as the runner reports it, so a
 * cancel from another process can reach the task while it runs.
 */
export function callStep(
  deps: EngineDeps,
  executionId: string,
  signal: AbortSignal,
  st: StepState,
  step: TaskStep,
  kind: Exclude<RunKind, "rollback">,
  run: RenderedRun,
  since: string | null,
): Promise<CallResult> {
  const stepId = step.id;
  const attempt = st.attempts;
  const phase: Phase = kind === "gate" ? "gate" : kind === "fix" ? "fix" : "task";
  const onTaskId = (taskId: string): void => {
    void deps
      .update(executionId, (s) => {
        const cur = s.steps[stepId];
        if (cur?.status !== "running" || cur.attempts !== attempt || phaseOf(cur) !== phase) return;
        if (kind === "gate" && cur.gate !== null) cur.gate.taskId = taskId;
        else if (kind === "fix" && cur.fix !== null) cur.fix.taskId = taskId;
        else cur.taskId = taskId;
      })
      .catch(() => undefined); // only a shortcut for a resumed engine: the idempotency key finds the task anyway
  };
  const timeout = step.timeoutSec;
  const req = {
    executionId,
    stepId,
    attempt,
    task: run.task,
    ...(run.env !== undefined && { env: run.env }),
    kind,
    onTaskId,
    ...run.where,
    ...(timeout !== undefined && { timeoutSec: timeout }),
    idempotencyKey: idempotencyKey(executionId, stepId, kind, attempt, st.fixes),
  };
  return callRunner(deps.runner, req, signal, watchdogMs(timeout, since, deps.timeoutGraceMs, deps.now()));
}
