import type { EngineDeps } from "./context.js";
import { isDetached } from "./runner.js";
import { renderFailure, renderRun, type RenderedRun } from "./render-step.js";
import { callStep, phaseOf, targetOf, type Phase } from "./step-call.js";
import { fixRun } from "./schema-fix.js";
import { type Decision, StepDecisions } from "./step-decisions.js";
import { stepOf, templateContext } from "./transitions.js";
import type { ExecutionState, StepState, TaskStep } from "./types.js";

const EVENTS: Partial<Record<Decision, string>> = {
  completed: "step.completed",
  failed: "step.failed",
  retry: "step.retrying",
  cancelled: "step.cancelled",
  fixing: "step.schema-retry",
};

export function driveStep(deps: EngineDeps, executionId: string, stepId: string, signal: AbortSignal): Promise<void> {
  return new StepDriver(deps, executionId, stepId, signal).run();
}

/**
 * Drives one running task step to an end: its task, then its gate, with retries.
 * It works from the stored state only, so the same code carries on a step that a
 * previous engine left half-done: phase and attempt come from the record, and the
 * runner gets the same idempotency key it got the first time.
 */
class StepDriver {
  private readonly decide: StepDecisions;

  constructor(
    private readonly deps: EngineDeps,
    private readonly executionId: string,
    private readonly stepId: string,
    private readonly signal: AbortSignal,
  ) {
    this.decide = new StepDecisions(deps, stepId);
  }

  async run(): Promise<void> {
    for (;;) {
      // Detached (graceful shutdown): the step stays as stored, for the next engine to adopt.
      if (isDetached(this.signal)) return;
      const state = await this.deps.store.get(this.executionId);
      const st = state?.steps[this.stepId];
      const step = state === null ? undefined : stepOf(state, this.stepId);
      if (state?.status !== "running" || st?.status !== "running" || step?.kind !== "task") return;
      const phase = phaseOf(st);
      if (phase === null) return this.inconsistent(st.attempts);
      if (this.signal.aborted) {
        await this.settle(st.attempts, phase, (_s, cur) => this.decide.cancelled(cur));
        return;
      }
      if (phase === "backoff") await this.backoff(st);
      else if (phase === "task") await this.task(state, st, step);
      else if (phase === "fix") await this.fix(state, st, step);
      else await this.gate(state, st, step);
    }
  }

  /** Applies `decide` if the step is still in the attempt and phase acted on (else a cancel or another engine moved on). */
  private async settle(attempt: number, phase: Phase, decide: (s: ExecutionState, st: StepState) => Decision): Promise<Decision> {
    let decision = "stale" as Decision;
    const state = await this.deps.update(this.executionId, (s) => {
      const st = s.steps[this.stepId];
      const same = st?.status === "running" && st.attempts === attempt && phaseOf(st) === phase;
      decision = same && st !== undefined ? decide(s, st) : "stale";
    });
    const event = EVENTS[decision];
    if (event === undefined) return decision;
    const st = state.steps[this.stepId];
    this.deps.emit(event, {
      executionId: this.executionId,
      workflow: state.workflow,
      step: this.stepId,
      agent: this.agentOf(state),
      attempt,
      taskId: st?.taskId,
      exitCode: st?.exitCode,
      reason: decision === "fixing" ? firstError(st?.schemaErrors ?? "") : st?.reason,
      ...(decision === "fixing" && { fix: st?.fixes }),
      ...(decision === "retry" && { delayMs: this.decide.nextDelay }),
    });
    return decision;
  }

  /** A record no engine writes (gate over, step still running): fail it rather than adopt it forever. */
  private async inconsistent(attempt: number): Promise<void> {
    await this.deps.update(this.executionId, (s) => {
      const st = s.steps[this.stepId];
      if (st?.status === "running" && st.attempts === attempt && phaseOf(st) === null) {
        this.decide.fail(s, "inconsistent stored state: its gate ended but the step did not");
      }
    });
  }

  private async backoff(st: StepState): Promise<void> {
    const ms = this.decide.nextDelay ?? Math.max(0, Date.parse(st.retryAt ?? "") - this.deps.now());
    this.decide.nextDelay = null;
    await this.deps.sleep(ms, this.signal);
    if (this.signal.aborted) return; // the loop records the cancel
    const next = st.attempts + 1;
    let state: ExecutionState | null = null;
    const decision = await this.settle(st.attempts, "backoff", (s, cur) => {
      state = s;
      return this.decide.nextAttempt(cur, next);
    });
    if (decision !== "next") return;
    const workflow = (state as ExecutionState | null)?.workflow;
    this.deps.emit("step.started", {
      executionId: this.executionId,
      workflow,
      step: this.stepId,
      agent: state ? this.agentOf(state) : undefined,
      attempt: next,
      retry: true,
    });
  }

  /** The agent a step's events name: the one that ran its task, else the one its definition names. */
  private agentOf(state: ExecutionState): string | undefined {
    const st = state.steps[this.stepId];
    if (st?.agent) return st.agent;
    const step = stepOf(state, this.stepId);
    return step?.kind === "task" ? step.agent : undefined;
  }

  /** Renders for the target, or fails the step (nothing submitted) when it cannot be rendered safely. */
  private async render(state: ExecutionState, st: StepState, step: TaskStep, phase: "task" | "gate"): Promise<RenderedRun | null> {
    const gate = phase === "gate";
    try {
      return renderRun(
        this.deps.runner,
        targetOf(st, step, gate ? "gate" : "step"),
        gate ? (step.gate ?? "") : step.task,
        templateContext(state, this.stepId, gate),
      );
    } catch (error) {
      const reason = `${gate ? "gate" : "template"}: ${renderFailure(error)}`;
      await this.settle(st.attempts, phase, (s) => this.decide.fail(s, reason));
      return null;
    }
  }

  private async task(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    const run = await this.render(state, st, step, "task");
    if (run === null) return;
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "step", run, st.attemptStartedAt);
    if (aborted) return; // the loop records the cancel
    await this.settle(st.attempts, "task", (s, cur) => this.decide.afterTask(s, cur, step, outcome));
  }

  private async fix(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    let run: RenderedRun;
    try {
      run = fixRun(this.deps.runner, st, step, templateContext(state, this.stepId, false));
    } catch (error) {
      await this.settle(st.attempts, "fix", (s) => this.decide.fail(s, `template: ${renderFailure(error)}`));
      return;
    }
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "fix", run, st.fix?.startedAt ?? null);
    if (aborted) return;
    await this.settle(st.attempts, "fix", (s, cur) => this.decide.afterFix(s, cur, step, outcome));
  }

  private async gate(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    const run = await this.render(state, st, step, "gate");
    if (run === null) return;
    const command = run.task;
    const since = st.gate?.startedAt ?? null;
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "gate", run, since);
    if (aborted) return;
    await this.settle(st.attempts, "gate", (s, cur) => this.decide.afterGate(s, cur, step, outcome, command));
  }
}

function firstError(errors: string): string {
  return errors.split("\n")[0] ?? "";
}
