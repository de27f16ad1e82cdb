import type { EngineDeps } from "./context.js";
import { isDetached, succeeded } from "./runner.js";
import { renderFailure, renderRun, type RenderedRun } from "./render-step.js";
import { callStep, phaseOf, reasonOf, targetOf, type Phase } from "./step-call.js";
import { fixRun, judge } from "./schema-fix.js";
import { completeStep, failStep, newRun, stepOf, templateContext } from "./transitions.js";
import type { ExecutionState, StepState, TaskStep } from "./types.js";

/**
 * Drives one running task step to an end: its task, then its gate, with retries.
 * It works from the stored state only, so the same code carries on a step that a
 * previous engine left half-done: phase and attempt come from the record, and the
 * runner gets the same idempotency key it got the first time.
 */
/** `fixing`: the output failed the step's schema and a follow-up prompt is due. */
type Decision = "completed" | "failed" | "retry" | "cancelled" | "fixing" | "next" | "stale";

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

class StepDriver {
  /** The backoff just decided by this driver; a resumed one computes it from `retryAt`. */
  private nextDelay: number | null = null;

  constructor(
    private readonly deps: EngineDeps,
    private readonly executionId: string,
    private readonly stepId: string,
    private readonly signal: AbortSignal,
  ) {}

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
        await this.settle(st.attempts, phase, (_s, cur) => this.cancelled(cur));
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
      ...(decision === "retry" && { delayMs: this.nextDelay }),
    });
    return decision;
  }

  /** A record no engine writes (gate over, step still running): fail it rather than adopt it forever. */
  private async inconsistent(attempt: number): Promise<void> {
    await this.deps.update(this.executionId, (s) => {
      const st = s.steps[this.stepId];
      if (st?.status === "running" && st.attempts === attempt && phaseOf(st) === null) {
        this.fail(s, "inconsistent stored state: its gate ended but the step did not");
      }
    });
  }

  private complete(s: ExecutionState): Decision {
    completeStep(s, this.stepId, this.deps.at());
    return "completed";
  }

  private fail(s: ExecutionState, reason: string): Decision {
    failStep(s, this.stepId, reason, this.deps.at());
    return "failed";
  }

  private cancelled(st: StepState): Decision {
    Object.assign(st, { status: "cancelled", reason: "cancelled", finishedAt: this.deps.at(), retryAt: null });
    if (st.gate?.status === "running") Object.assign(st.gate, { status: "cancelled", finishedAt: this.deps.at() });
    return "cancelled";
  }

  /** A failed attempt: a retry is due later, or the step has failed for good (and its policy applies). */
  private failAttempt(s: ExecutionState, st: StepState, step: TaskStep, reason: string): Decision {
    if (st.attempts <= step.retries) {
      this.nextDelay = this.deps.backoffMs(st.attempts);
      Object.assign(st, { reason, retryAt: new Date(this.deps.now() + this.nextDelay).toISOString() });
      return "retry";
    }
    return this.fail(s, st.attempts > 1 ? `${reason} after ${st.attempts} attempts` : reason);
  }

  private async backoff(st: StepState): Promise<void> {
    const ms = this.nextDelay ?? Math.max(0, Date.parse(st.retryAt ?? "") - this.deps.now());
    this.nextDelay = null;
    await this.deps.sleep(ms, this.signal);
    if (this.signal.aborted) return; // the loop records the cancel
    const next = st.attempts + 1;
    let state: ExecutionState | null = null;
    const decision = await this.settle(st.attempts, "backoff", (s, cur) => {
      Object.assign(cur, {
        attempts: next,
        retryAt: null,
        reason: null,
        gate: null,
        fix: null,
        fixes: 0,
        schemaErrors: null,
        json: null,
        attemptStartedAt: this.deps.at(),
      });
      state = s;
      return "next";
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
      await this.settle(st.attempts, phase, (s) => this.fail(s, reason));
      return null;
    }
  }

  private async task(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    const run = await this.render(state, st, step, "task");
    if (run === null) return;
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "step", run, st.attemptStartedAt);
    if (aborted) return; // the loop records the cancel
    await this.settle(st.attempts, "task", (s, cur) => {
      const { exitCode, output } = outcome;
      Object.assign(cur, { exitCode, output, taskId: outcome.taskId || cur.taskId, agent: outcome.agent ?? cur.agent });
      // A task cancelled by someone else (`claude-agent cancel`) is final: retrying would defy them.
      if (outcome.status === "cancelled") return this.fail(s, "its task was cancelled");
      if (!succeeded(outcome)) return this.failAttempt(s, cur, step, reasonOf(outcome, "task"));
      return this.accepted(s, cur, step);
    });
  }

  /**
   * A run of the task (or a follow-up) succeeded: its output must pass the step's schema, if it
   * has one. Then the gate, or done; otherwise a follow-up with the errors while `schema_retries`
   * allow, then the attempt fails.
   */
  private accepted(s: ExecutionState, cur: StepState, step: TaskStep): Decision {
    const verdict = judge(step, cur.output);
    if (verdict !== null) {
      Object.assign(cur, { json: verdict.json, schemaErrors: verdict.errors });
      if (verdict.errors !== null) {
        if (cur.fixes < step.schemaRetries) {
          cur.fixes += 1;
          cur.fix = newRun(this.deps.at());
          return "fixing";
        }
        const tries = cur.fixes > 0 ? ` after ${cur.fixes} follow-up${cur.fixes > 1 ? "s" : ""}` : "";
        return this.failAttempt(s, cur, step, `output does not match output_schema${tries}: ${verdict.errors.split("\n").join("; ")}`);
      }
    }
    if (step.gate === undefined) return this.complete(s);
    cur.gate = newRun(this.deps.at());
    return "next";
  }

  private async fix(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    let run: RenderedRun;
    try {
      run = fixRun(this.deps.runner, st, step, templateContext(state, this.stepId, false));
    } catch (error) {
      await this.settle(st.attempts, "fix", (s) => this.fail(s, `template: ${renderFailure(error)}`));
      return;
    }
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "fix", run, st.fix?.startedAt ?? null);
    if (aborted) return;
    await this.settle(st.attempts, "fix", (s, cur) => {
      const { exitCode, output } = outcome;
      const status = succeeded(outcome) ? "completed" : outcome.status === "completed" ? "failed" : outcome.status;
      cur.fix = { ...(cur.fix ?? newRun(this.deps.at())), status, exitCode, output, taskId: outcome.taskId || null, finishedAt: this.deps.at() };
      Object.assign(cur, { exitCode, output });
      if (outcome.status === "cancelled") return this.fail(s, "its follow-up task was cancelled");
      if (!succeeded(outcome)) return this.failAttempt(s, cur, step, reasonOf(outcome, "follow-up"));
      return this.accepted(s, cur, step);
    });
  }

  private async gate(state: ExecutionState, st: StepState, step: TaskStep): Promise<void> {
    const run = await this.render(state, st, step, "gate");
    if (run === null) return;
    const command = run.task;
    const since = st.gate?.startedAt ?? null;
    const { outcome, aborted } = await callStep(this.deps, this.executionId, this.signal, st, step, "gate", run, since);
    if (aborted) return;
    const passed = succeeded(outcome, true);
    await this.settle(st.attempts, "gate", (s, cur) => {
      const { exitCode, output } = outcome;
      const status = passed || outcome.status !== "completed" ? outcome.status : "failed";
      const taskId = outcome.taskId || null;
      cur.gate = { ...(cur.gate ?? newRun(this.deps.at())), status, exitCode, output, taskId, finishedAt: this.deps.at() };
      if (passed) return this.complete(s);
      Object.assign(cur, { output, exitCode });
      return this.failAttempt(s, cur, step, reasonOf(outcome, `gate "${command}"`));
    });
  }
}

function firstError(errors: string): string {
  return errors.split("\n")[0] ?? "";
}
