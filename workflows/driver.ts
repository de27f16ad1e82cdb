import { NotFoundError, newInboxId } from "../core/index.js";
import type { EngineDeps } from "./context.js";
import { plan, type Action } from "./plan.js";
import { ensureItems, withdrawItems } from "./inbox-items.js";
import { prepareStep } from "./prepare.js";
import { renderRun, stepTarget } from "./render-step.js";
import { rollbackSummary, runRollbacks } from "./rollback.js";
import { Detached } from "./runner.js";
import { admitStep, ensureBudgetItem, reachedEvent } from "./run-budget.js";
import { driveStep } from "./step-driver.js";
import { cancelOpenSteps, failStep, finishExecution, skipStep, stepOf } from "./transitions.js";
import type { ExecutionState, Halt } from "./types.js";
import { Waker } from "./waker.js";

/**
 * The loop of one execution in this process: read the state, plan, act, wait
 * for a step to end (or `pollMs`, to see approvals and cancels written by other
 * processes), again. Every decision is written to the store before it is acted on.
 */
export class ExecutionDriver {
  private readonly stepsControl = new AbortController();
  private readonly allControl = new AbortController();
  private readonly driving = new Map<string, Promise<void>>();
  private readonly waker = new Waker();
  private fatal: { error: unknown } | null = null;
  /** Inbox items this driver has opened (or found open): each is opened once per driver. */
  private readonly items = new Set<string>();
  private detached = false;

  constructor(
    private readonly deps: EngineDeps,
    readonly id: string,
  ) {}

  wake(): void {
    this.waker.wake();
  }

  /** Cancel: stops every step and rollback this driver runs. */
  abort(): void {
    this.stepsControl.abort();
    this.allControl.abort();
    this.wake();
  }

  /**
   * Stops driving without touching the tasks, which stay resumable (graceful shutdown):
   * steps and rollbacks stop waiting and write nothing more, their tasks keep running.
   */
  detach(): void {
    this.detached = true;
    this.stepsControl.abort(new Detached());
    this.allControl.abort(new Detached());
    this.wake();
  }

  async run(): Promise<ExecutionState> {
    for (;;) {
      if (this.fatal !== null) throw this.fatal.error;
      this.waker.reset();
      const state = await this.load();
      if (this.detached) return this.release(state);
      if (state.status !== "running") {
        this.abort();
        await Promise.allSettled(this.driving.values());
        return this.load();
      }
      if (state.halt !== null) return this.halt(state.halt);
      await ensureItems(this.deps, state, this.items);
      await ensureBudgetItem(this.deps, state, this.items);
      const planned = plan(state, new Set(this.driving.keys()));
      // Paused at its budget: no new step starts until the answer (skips and running steps go on).
      const actions = state.budget?.paused ? planned.filter((action) => action.type !== "ready") : planned;
      for (const action of actions) {
        if (action.type === "finish") return this.finish(action.status, action.reason);
        await this.apply(state, action);
      }
      if (actions.length === 0) await this.waker.wait(this.deps.pollMs);
    }
  }

  private async release(state: ExecutionState): Promise<ExecutionState> {
    await Promise.allSettled(this.driving.values());
    return state;
  }

  private async load(): Promise<ExecutionState> {
    const state = await this.deps.store.get(this.id);
    if (state === null) throw new NotFoundError(`no workflow execution "${this.id}"`, { context: { executionId: this.id } });
    return state;
  }

  /** Writes the change if the step is still pending and nothing halted meanwhile; null if it did not. */
  private async fromPending(stepId: string, change: (s: ExecutionState) => void): Promise<ExecutionState | null> {
    let changed = false;
    const state = await this.deps.update(this.id, (s) => {
      changed = s.status === "running" && s.halt === null && s.steps[stepId]?.status === "pending";
      if (changed) change(s);
    });
    return changed ? state : null;
  }

  private async apply(state: ExecutionState, action: Exclude<Action, { type: "finish" }>): Promise<void> {
    const { deps } = this;
    const event = { executionId: this.id, workflow: state.workflow, step: action.step };
    if (action.type === "adopt") return this.launch(action.step, { ...event, resumed: true });
    if (action.type === "skip") {
      const done = await this.fromPending(action.step, (s) => skipStep(s, action.step, "upstream", action.reason, deps.at()));
      if (done) deps.emit("step.skipped", { ...event, reason: action.reason });
      return;
    }
    const step = stepOf(state, action.step);
    if (step === undefined) return;
    const where = step.kind === "task" ? stepTarget(step) : {};
    const prepared = prepareStep(state, step, (text, ctx) => renderRun(deps.runner, where, text, ctx).task);
    if (prepared.kind !== "start") {
      const { reason } = prepared;
      const skip = prepared.kind === "skip";
      const done = await this.fromPending(step.id, (s) =>
        skip ? skipStep(s, step.id, "condition", reason, deps.at()) : failStep(s, step.id, reason, deps.at()),
      );
      if (done) deps.emit(skip ? "step.skipped" : "step.failed", { ...event, reason });
      return;
    }
    if (state.definition.budget !== undefined && !(await this.budgetAllows())) return;
    const text = prepared.text;
    const at = deps.at();
    const status = step.kind === "approval" ? "waiting-approval" : step.kind === "input" ? "waiting-input" : "running";
    const started = await this.fromPending(step.id, (s) => {
      const attempts = step.kind === "task" ? 1 : 0;
      // A waiting step names its inbox item from the start (ensureItems opens the item itself).
      const inbox = step.kind === "task" ? null : newInboxId();
      Object.assign(s.steps[step.id] ?? {}, { status, task: text, startedAt: at, attemptStartedAt: at, attempts, inbox });
    });
    if (started === null) return;
    // The inbox item is opened by the loop's next ensureItems, right after this (and again after a restart).
    if (step.kind === "approval") return void deps.emit("step.waiting-approval", { ...event, approval: text });
    if (step.kind === "input") return void deps.emit("step.waiting-input", { ...event, questions: step.questions.map((q) => q.name).join(", ") });
    this.launch(step.id, { ...event, attempt: 1, ...where });
  }

  /** Whether the run's budget lets a new step start; at the limit it pauses the run (the loop then opens its item). */
  private async budgetAllows(): Promise<boolean> {
    let verdict = "start" as ReturnType<typeof admitStep>;
    const state = await this.deps.update(this.id, (s) => {
      if (s.status === "running" && s.definition.budget !== undefined) verdict = admitStep(s, this.deps.at());
    });
    if (verdict === "paused") this.deps.emit("budget.reached", reachedEvent(state));
    return verdict === "start";
  }

  private launch(stepId: string, event: Record<string, unknown>): void {
    this.deps.emit("step.started", event);
    const running = driveStep(this.deps, this.id, stepId, this.stepsControl.signal)
      .catch((error: unknown) => {
        this.fatal ??= { error };
      })
      .finally(() => {
        this.driving.delete(stepId);
        this.wake();
      });
    this.driving.set(stepId, running);
  }

  private async halt(halt: Halt): Promise<ExecutionState> {
    this.stepsControl.abort();
    await Promise.allSettled(this.driving.values());
    if (this.fatal !== null) throw this.fatal.error;
    if (this.detached) return this.load();
    let orphans: string[] = [];
    await this.deps.update(this.id, (s) => {
      if (s.status === "running") orphans = cancelOpenSteps(s, `cancelled: step "${halt.step}" failed`, this.deps.at());
    });
    // Tasks a previous engine started and this one never adopted: only the runner can stop them. One that cannot be
    // cancelled runs to its end, its step cancelled already (the engine has no log).
    for (const taskId of orphans) await this.deps.runner.cancel?.(taskId).catch(() => undefined);
    if (halt.policy === "rollback") await runRollbacks(this.deps, this.id, this.allControl.signal);
    const state = await this.load();
    await withdrawItems(this.deps, state, `step "${halt.step}" failed`);
    if (state.status !== "running" || this.detached) return state;
    const rolled = halt.policy === "rollback" ? `; ${rollbackSummary(state)}` : "";
    return this.finish("failed", `step "${halt.step}" failed: ${halt.reason}${rolled}`);
  }

  private async finish(status: "completed" | "failed", reason: string | null): Promise<ExecutionState> {
    let finished = false;
    const state = await this.deps.update(this.id, (s) => {
      finished = s.status === "running";
      if (finished) finishExecution(s, status, reason, this.deps.at());
    });
    if (finished) this.deps.emit(`workflow.${status}`, { executionId: this.id, workflow: state.workflow, reason });
    return state;
  }
}
