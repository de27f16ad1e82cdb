import type { EngineDeps } from "./context.js";
import { callRunner, idempotencyKey, succeeded, type RunKind, type StepOutcome, type StepRequest } from "./runner.js";
import { renderTemplate } from "./template.js";
import { completeStep, failStep, stepOf, templateContext } from "./transitions.js";
import type { ExecutionState, StepState, TaskStep } from "./types.js";

/**
 * Drives one running task step to an end: its task, then its gate, with retries.
 * It works from the stored state only, so the same code carries on a step that a
 * previous engine left half-done: phase and attempt come from the record, and the
 * runner gets the same idempotency key it got the first time.
 */
type Phase = "task" | "gate" | "backoff";

function phaseOf(st: StepState): Phase | null {
  if (st.retryAt !== null) return "backoff";
  if (st.gate === null) return "task";
  return st.gate.status === "running" ? "gate" : null;
}

/** The step's state if it is still in the attempt and phase we acted on; anything else means someone moved on. */
function current(state: ExecutionState, id: string, attempt: number, phase: Phase): StepState | null {
  const st = state.steps[id];
  return st?.status === "running" && st.attempts === attempt && phaseOf(st) === phase ? st : null;
}

function reasonOf(outcome: StepOutcome, what: string): string {
  if (outcome.status === "timeout") return `${what} timed out`;
  return outcome.exitCode === null ? `${what} failed` : `${what} failed (exit ${outcome.exitCode})`;
}

export async function driveStep(deps: EngineDeps, executionId: string, stepId: string, signal: AbortSignal): Promise<void> {
  let nextDelay: number | null = null;
  const base = (extra: Record<string, unknown>): Record<string, unknown> => ({ executionId, step: stepId, ...extra });

  const settle = async (attempt: number, phase: Phase, apply: (s: ExecutionState, st: StepState) => string): Promise<void> => {
    let decided = "stale";
    const state = await deps.update(executionId, (s) => {
      const st = current(s, stepId, attempt, phase);
      decided = st === null ? "stale" : apply(s, st);
    });
    const st = state.steps[stepId];
    const data = base({ workflow: state.workflow, attempt, taskId: st?.taskId, exitCode: st?.exitCode, reason: st?.reason });
    if (decided === "completed") deps.emit("step.completed", data);
    else if (decided === "failed") deps.emit("step.failed", data);
    else if (decided === "cancelled") deps.emit("step.cancelled", data);
    else if (decided === "retry") deps.emit("step.retrying", { ...data, delayMs: nextDelay });
  };

  /** Records a failed attempt: a retry is due later, or the step has failed for good. */
  const failAttempt = (s: ExecutionState, st: StepState, step: TaskStep, reason: string): string => {
    if (st.attempts <= step.retries) {
      nextDelay = deps.backoffMs(st.attempts);
      Object.assign(st, { reason, retryAt: new Date(deps.now() + nextDelay).toISOString() });
      return "retry";
    }
    failStep(s, stepId, st.attempts > 1 ? `${reason} after ${st.attempts} attempts` : reason, deps.at());
    return "failed";
  };

  const run = async (st: StepState, step: TaskStep, kind: RunKind, task: string, since: string, agentOverride: string | null) => {
    const attempt = st.attempts;
    const phase: Phase = kind === "gate" ? "gate" : "task";
    const where = agentOverride !== null ? { agent: agentOverride } : step.agent !== undefined ? { agent: step.agent } : { route: step.route ?? "" };
    const req: StepRequest = {
      executionId, stepId, attempt, ...where, task, kind,
      ...(step.timeoutSec !== undefined && { timeoutSec: step.timeoutSec }),
      idempotencyKey: idempotencyKey(executionId, stepId, kind, attempt),
      onTaskId: (taskId) => {
        void deps.update(executionId, (s) => {
          const cur = current(s, stepId, attempt, phase);
          if (cur !== null && kind === "gate" && cur.gate !== null) cur.gate.taskId = taskId;
          else if (cur !== null) cur.taskId = taskId;
        }).catch(() => undefined);
      },
    };
    const deadline = step.timeoutSec === undefined ? null : Date.parse(since) + step.timeoutSec * 1000 + deps.timeoutGraceMs - deps.now();
    return { attempt, ...(await callRunner(deps.runner, req, signal, deadline)) };
  };

  for (;;) {
    const state = await deps.store.get(executionId);
    const st = state?.steps[stepId];
    const step = state === null ? undefined : stepOf(state, stepId);
    if (state === null || state.status !== "running" || st?.status !== "running" || step?.kind !== "task") return;
    const phase = phaseOf(st);
    if (phase === null) return;
    const cancel = (s: ExecutionState, cur: StepState): string => {
      Object.assign(cur, { status: "cancelled", reason: "cancelled", finishedAt: deps.at(), retryAt: null });
      if (cur.gate?.status === "running") Object.assign(cur.gate, { status: "cancelled", finishedAt: deps.at() });
      return "cancelled";
    };
    if (signal.aborted) return settle(st.attempts, phase, cancel);

    if (phase === "backoff") {
      const ms = nextDelay ?? Math.max(0, Date.parse(st.retryAt ?? "") - deps.now());
      nextDelay = null;
      await deps.sleep(ms, signal);
      if (signal.aborted) return settle(st.attempts, phase, cancel);
      const next = st.attempts + 1;
      await settle(st.attempts, phase, (_s, cur) => {
        Object.assign(cur, { attempts: next, retryAt: null, reason: null, gate: null, attemptStartedAt: deps.at() });
        return "next";
      });
      deps.emit("step.started", base({ workflow: state.workflow, attempt: next, retry: true }));
    } else if (phase === "task") {
      const { attempt, outcome, aborted } = await run(st, step, "step", st.task ?? step.task, st.attemptStartedAt ?? deps.at(), null);
      if (aborted) return settle(attempt, phase, cancel);
      await settle(attempt, phase, (s, cur) => {
        Object.assign(cur, { taskId: outcome.taskId || cur.taskId, agent: outcome.agent ?? cur.agent, exitCode: outcome.exitCode, output: outcome.output });
        if (!succeeded(outcome)) {
          // A task cancelled by someone else (`claude-agent cancel`) is final: retrying would defy them.
          if (outcome.status !== "cancelled") return failAttempt(s, cur, step, reasonOf(outcome, "task"));
          failStep(s, stepId, "its task was cancelled", deps.at());
          return "failed";
        }
        if (step.gate === undefined) return completeStep(s, stepId, deps.at()), "completed";
        cur.gate = { status: "running", taskId: null, exitCode: null, output: "", startedAt: deps.at(), finishedAt: null };
        return "gate";
      });
    } else {
      let command: string;
      try {
        command = renderTemplate(step.gate ?? "", templateContext(state, stepId, true));
      } catch (error) {
        return settle(st.attempts, phase, (s) => (failStep(s, stepId, `gate: ${(error as Error).message}`, deps.at()), "failed"));
      }
      const { attempt, outcome, aborted } = await run(st, step, "gate", command, st.gate?.startedAt ?? deps.at(), st.agent);
      if (aborted) return settle(attempt, phase, cancel);
      await settle(attempt, phase, (s, cur) => {
        const { status, exitCode, output } = outcome;
        cur.gate = { ...(cur.gate ?? { startedAt: deps.at() }), status, exitCode, output, taskId: outcome.taskId || null, finishedAt: deps.at() };
        if (succeeded(outcome, true)) return completeStep(s, stepId, deps.at()), "completed";
        Object.assign(cur, { output, exitCode });
        return failAttempt(s, cur, step, reasonOf(outcome, `gate "${command}"`));
      });
    }
  }
}
