import { NotFoundError, UsageError, newTaskId, type InboxAnswer, type Origin } from "../core/index.js";
import { engineDeps, type EngineDeps, type EngineOptions } from "./context.js";
import { ExecutionDriver } from "./driver.js";
import { resolveParams } from "./params.js";
import type { ExecutionStore } from "./store.js";
import { withdrawItems } from "./inbox-items.js";
import { applyRunBudget, decideRunBudget } from "./run-budget.js";
import { cancelOpenSteps, completeStep, failStep, finishExecution, newExecution, stepOf } from "./transitions.js";
import type { ExecutionState, Workflow } from "./types.js";

export interface StartOptions {
  /** Choose the execution id (to know it before the run ends); a new one by default. */
  readonly id?: string;
}

/**
 * Writes a new execution (every step pending) without running it: what a client
 * does so that the engine of another process (the swarm's daemon) runs it with
 * `resume`. Params are checked here, so the caller hears about bad ones at once.
 */
export async function createExecution(
  store: ExecutionStore,
  workflow: Workflow,
  params: Readonly<Record<string, string>> = {},
  options: StartOptions & { readonly now?: number } = {},
): Promise<ExecutionState> {
  const now = options.now ?? Date.now();
  const state = newExecution(options.id ?? newTaskId(now), workflow, resolveParams(workflow, params), new Date(now).toISOString());
  await store.create(state);
  return state;
}

/** Nothing happened yet: it was created (see createExecution) and no engine has driven it. */
function untouched(state: ExecutionState): boolean {
  return state.completionOrder.length === 0 && Object.values(state.steps).every((st) => st.status === "pending");
}

/**
 * Runs workflow executions to their end, durably: everything it decides goes to
 * the store first, so `resume(id)` in a new process carries on where a killed
 * one stopped. One engine can drive many executions at once.
 */
export class WorkflowEngine {
  private readonly deps: EngineDeps;
  private readonly drivers = new Map<string, { driver: ExecutionDriver; done: Promise<ExecutionState> }>();

  constructor(options: EngineOptions) {
    this.deps = engineDeps(options);
  }

  /** Creates an execution and runs it; resolves with its final state. */
  async start(workflow: Workflow, params: Readonly<Record<string, string>> = {}, options: StartOptions = {}): Promise<ExecutionState> {
    const state = await createExecution(this.deps.store, workflow, params, { ...options, now: this.deps.now() });
    this.deps.emit("workflow.started", { executionId: state.id, workflow: workflow.name, params: state.params });
    return this.drive(state.id);
  }

  /**
   * Carries on an execution (after a restart), or starts one that createExecution
   * wrote; returns at once if it already ended.
   */
  async resume(id: string): Promise<ExecutionState> {
    const local = this.drivers.get(id);
    if (local !== undefined) return local.done;
    const state = await this.mustGet(id);
    if (state.status !== "running") return state;
    const again = this.drivers.get(id);
    if (again !== undefined) return again.done; // another resume(id) won the race during the read
    const fresh = untouched(state);
    const data = { executionId: id, workflow: state.workflow, ...(fresh && { params: state.params }) };
    this.deps.emit(fresh ? "workflow.started" : "workflow.resumed", data);
    return this.drive(id);
  }

  /** Lets a step waiting for approval through; the driving engine sees it at once (here) or within pollMs. `by` (actor, via) goes on its event. */
  approve(id: string, stepId: string, by?: Origin): Promise<ExecutionState> {
    return this.answer(id, stepId, { decision: "approve", by: by ? `${by.via}:${by.actor}` : "approve command" }, by);
  }

  /** Refuses a step waiting for approval: it fails, and its on_failure policy applies. */
  reject(id: string, stepId: string, reason = "rejected", by?: Origin): Promise<ExecutionState> {
    return this.answer(id, stepId, { decision: "deny", reason, by: by ? `${by.via}:${by.actor}` : "reject command" }, by);
  }

  /**
   * Applies a person's answer to a waiting step (an approval's decision, an input step's
   * values), then records it on the step's inbox item. UsageError when the step is not
   * waiting for that kind of answer (already answered, cancelled, …). `origin`
   * (actor, via) goes on the step's event, for the audit trail.
   */
  async answer(id: string, stepId: string, answer: InboxAnswer, origin?: Origin): Promise<ExecutionState> {
    await this.mustGet(id);
    const approval = "decision" in answer;
    let problem = null as string | null;
    const state = await this.deps.update(id, (s) => {
      const st = s.steps[stepId];
      const step = stepOf(s, stepId);
      const wanted = approval ? "waiting-approval" : "waiting-input";
      problem =
        st === undefined || step === undefined
          ? `execution "${id}" has no step "${stepId}"`
          : s.status !== "running"
            ? `execution "${id}" is ${s.status}`
            : st.status !== wanted
              ? `step "${stepId}" is ${st.status}, not ${approval ? "waiting for approval" : "waiting for input"}`
              : !approval && step.kind === "input"
                ? unknownAnswers(
                    step.questions.map((q) => q.name),
                    Object.keys(answer.values),
                  )
                : null;
      if (problem !== null || st === undefined) return;
      const at = this.deps.at();
      if ("values" in answer) {
        Object.assign(st, { answers: { ...answer.values }, output: JSON.stringify(answer.values), exitCode: 0 });
        return completeStep(s, stepId, at);
      }
      if (answer.decision === "deny") return failStep(s, stepId, answer.reason ?? "rejected", at);
      Object.assign(st, { output: "approved", exitCode: 0 });
      completeStep(s, stepId, at);
    });
    if (problem !== null) throw new UsageError(problem, { context: { executionId: id, step: stepId } });
    const item = state.steps[stepId]?.inbox ?? null;
    // The execution is the record that counts; a failure here leaves the item open, and the
    // workflow service's sweep closes items whose step no longer waits.
    if (item !== null) await this.deps.inbox?.answer(item, answer).catch(() => undefined);
    const reason = "values" in answer ? `answered by ${answer.by}` : answer.decision === "approve" ? "approved" : (answer.reason ?? "rejected");
    const event = { executionId: id, workflow: state.workflow, step: stepId, reason, ...(item !== null && { item }), ...origin };
    this.deps.emit("values" in answer || answer.decision === "approve" ? "step.completed" : "step.failed", event);
    this.poke(id);
    return state;
  }

  /**
   * Applies the answer to a run paused at its budget (item `item`): raise or once let
   * it go on, stop cancels it; then records the answer on the item. UsageError when
   * the run is not paused for that item, or a raise stays under what was spent.
   */
  async answerBudget(id: string, item: string, answer: InboxAnswer, origin?: Origin): Promise<ExecutionState> {
    // Checked on the state as read (a clear error before any write), then again inside the compare-and-set update.
    let decision = decideRunBudget(await this.mustGet(id), item, answer);
    let problem = null as unknown;
    let state = await this.deps.update(id, (s) => {
      try {
        decision = decideRunBudget(s, item, answer);
        applyRunBudget(s, decision);
      } catch (error) {
        problem = error;
      }
    });
    if (problem !== null) throw problem;
    await this.deps.inbox?.answer(item, answer).catch(() => undefined); // as in answer(): the sweep closes the item
    this.deps.emit("budget.answered", { executionId: id, workflow: state.workflow, item, decision: decision.kind, ...origin });
    if (decision.kind === "stop") state = await this.cancel(id, "stopped at its budget", origin);
    this.poke(id);
    return state;
  }

  /** Cancels the execution and every step still open; a no-op on an execution that already ended. */
  async cancel(id: string, reason = "cancelled", by?: Origin): Promise<ExecutionState> {
    let taskIds = null as string[] | null;
    const state = await this.deps.update(id, (s) => {
      if (s.status !== "running") return;
      taskIds = cancelOpenSteps(s, reason, this.deps.at());
      finishExecution(s, "cancelled", reason, this.deps.at());
    });
    if (taskIds === null) return state;
    await withdrawItems(this.deps, state, "execution cancelled");
    const local = this.drivers.get(id);
    if (local !== undefined) local.driver.abort();
    // A task that cannot be cancelled runs to its end; the execution is cancelled either way.
    else for (const taskId of taskIds) await this.deps.runner.cancel?.(taskId).catch(() => undefined);
    this.deps.emit("workflow.cancelled", { executionId: id, workflow: state.workflow, reason, ...by });
    return state;
  }

  get(id: string): Promise<ExecutionState | null> {
    return this.deps.store.get(id);
  }

  list(): Promise<ExecutionState[]> {
    return this.deps.store.list();
  }

  /** Ids of the executions this engine is driving now. */
  active(): string[] {
    return [...this.drivers.keys()];
  }

  /** Makes the driver of `id` re-read its state now (e.g. on news of an approval from another process). */
  poke(id: string): void {
    this.drivers.get(id)?.driver.wake();
  }

  /** Stops driving, leaving every execution resumable; tasks keep running in the swarm. Idempotent. */
  async close(): Promise<void> {
    const all = [...this.drivers.values()];
    for (const { driver } of all) driver.detach();
    await Promise.allSettled(all.map((d) => d.done));
  }

  private drive(id: string): Promise<ExecutionState> {
    const driver = new ExecutionDriver(this.deps, id);
    const done = driver.run().finally(() => this.drivers.delete(id));
    this.drivers.set(id, { driver, done });
    return done;
  }

  private async mustGet(id: string): Promise<ExecutionState> {
    const state = await this.deps.store.get(id);
    if (state === null) throw new NotFoundError(`no workflow execution "${id}"`, { context: { executionId: id } });
    return state;
  }
}

function unknownAnswers(asked: readonly string[], given: readonly string[]): string | null {
  const unknown = given.filter((name) => !asked.includes(name));
  return unknown.length === 0 ? null : `unknown answer${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (the step asks ${asked.join(", ")})`;
}
