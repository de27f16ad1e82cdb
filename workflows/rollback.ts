import type { EngineDeps } from "./context.js";
import { callRunner, idempotencyKey, isDetached, succeeded, watchdogMs } from "./runner.js";
import { renderFailure, renderRun, stepTarget } from "./render-step.js";
import { newRun, stepOf, templateContext } from "./transitions.js";
import type { ExecutionState, StepState, TaskStep } from "./types.js";

/**
 * Undoes the completed steps that declare a rollback, newest completion first,
 * one at a time. Each rollback's record is written before it runs, so after a
 * restart a running rollback is re-adopted (same idempotency key) and a finished
 * one is never run twice. A failed rollback is recorded and the others still run.
 */
function nextRollback(state: ExecutionState): { id: string; step: TaskStep; st: StepState } | null {
  for (const id of [...state.completionOrder].reverse()) {
    const step = stepOf(state, id);
    const st = state.steps[id];
    if (step?.kind !== "task" || step.rollback === undefined || st === undefined) continue;
    if (st.rollback === null || st.rollback.status === "running") return { id, step, st };
  }
  return null;
}

export async function runRollbacks(deps: EngineDeps, executionId: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    const state = await deps.store.get(executionId);
    if (state === null || state.status !== "running" || signal.aborted) return;
    const next = nextRollback(state);
    if (next === null) return;
    const { id, step, st } = next;
    const data = { executionId, workflow: state.workflow, step: id };
    const record = st.rollback;
    if (record === null) {
      const startedAt = deps.at();
      await deps.update(executionId, (s) => {
        const cur = s.steps[id];
        if (cur?.rollback === null) cur.rollback = newRun(startedAt);
      });
      deps.emit("step.rollback.started", data);
      continue;
    }
    const spec = step.rollback;
    if (spec === undefined) return;
    let outcome: Awaited<ReturnType<typeof callRunner>>["outcome"];
    try {
      const agent = spec.agent ?? (spec.route === undefined ? (st.agent ?? step.agent) : undefined);
      // Without its own target and with no agent known to have run the step, it goes where the step would.
      const target = agent !== undefined ? { agent } : spec.route !== undefined ? { route: spec.route } : stepTarget(step);
      const run = renderRun(deps.runner, target, spec.task, templateContext(state, id, true));
      const deadline = watchdogMs(step.timeoutSec, record.startedAt, deps.timeoutGraceMs, deps.now());
      const req = {
        executionId,
        stepId: id,
        attempt: 1,
        ...run.where,
        task: run.task,
        kind: "rollback" as const,
        ...(run.env !== undefined && { env: run.env }),
        idempotencyKey: idempotencyKey(executionId, id, "rollback", 1),
        ...(step.timeoutSec !== undefined && { timeoutSec: step.timeoutSec }),
      };
      ({ outcome } = await callRunner(deps.runner, req, signal, deadline));
      // Detached: the rollback stays `running` in the record and the next engine re-adopts it.
      if (isDetached(signal)) return;
    } catch (error) {
      outcome = { status: "failed" as const, exitCode: null, output: `rollback: ${renderFailure(error)}`, taskId: "" };
    }
    const ok = succeeded(outcome);
    await deps.update(executionId, (s) => {
      const cur = s.steps[id];
      if (cur?.rollback?.status !== "running") return;
      const { exitCode, output } = outcome;
      const status = ok || outcome.status !== "completed" ? outcome.status : "failed";
      cur.rollback = { ...cur.rollback, status, exitCode, output, taskId: outcome.taskId || null, finishedAt: deps.at() };
    });
    deps.emit(ok ? "step.rolled-back" : "step.rollback.failed", { ...data, status: outcome.status, exitCode: outcome.exitCode });
  }
}

/** For the execution's reason: which rollbacks ran and which of them failed. */
export function rollbackSummary(state: ExecutionState): string {
  const done = Object.entries(state.steps).filter(([, st]) => st.rollback !== null);
  if (done.length === 0) return "nothing to roll back";
  const failed = done.filter(([, st]) => st.rollback?.status !== "completed").map(([id]) => id);
  const names = [...state.completionOrder].reverse().filter((id) => state.steps[id]?.rollback != null);
  return failed.length === 0 ? `rolled back ${names.join(", ")}` : `rolled back ${names.join(", ")}; rollback of ${failed.join(", ")} failed`;
}
