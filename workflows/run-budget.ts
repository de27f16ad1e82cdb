import {
  budgetAmounts,
  budgetDecision,
  budgetItem,
  describeSpend,
  effectiveLimits,
  isReached,
  newInboxId,
  UsageError,
  type BudgetDecision,
  type BudgetLimits,
  type InboxAnswer,
} from "../core/index.js";
import type { EngineDeps } from "./context.js";
import type { StepOutcome } from "./runner.js";
import type { ExecutionState, RunBudgetState } from "./types.js";

/**
 * A workflow run's `budget:`: what its tasks spent (each task once, from its
 * result's cost and tokens), and the pause at the limit: no new step starts
 * (running ones finish) and an inbox item asks to raise it, continue once (one
 * more step) or stop (the run is cancelled). Pure changes of the stored state,
 * made inside the store's updates, and the item that goes with them.
 */

function budgetOf(s: ExecutionState): RunBudgetState {
  s.budget ??= { spent: { usd: 0, tokens: 0 }, counted: [], raised: {}, once: 0, paused: null };
  return s.budget;
}

export function runLimits(s: ExecutionState): BudgetLimits | null {
  const limits = s.definition.budget;
  return limits === undefined ? null : effectiveLimits(limits, s.budget?.raised ?? {});
}

/** Adds what a task of the run reported; a task already counted adds nothing. */
export function chargeRun(s: ExecutionState, outcome: StepOutcome): void {
  if (s.definition.budget === undefined || outcome.taskId === "") return;
  const budget = budgetOf(s);
  if (budget.counted.includes(outcome.taskId)) return;
  budget.counted.push(outcome.taskId);
  budget.spent = { usd: budget.spent.usd + (outcome.costUsd ?? 0), tokens: budget.spent.tokens + (outcome.tokens ?? 0) };
}

/**
 * May a new step start? Below the limit, yes; at it, a "continue once" credit is
 * taken, or the run pauses (`paused` names the item that will ask). Returns
 * "start", "paused" (just now) or "waiting" (it was already).
 */
export function admitStep(s: ExecutionState, at: string): "start" | "paused" | "waiting" {
  const limits = runLimits(s);
  if (limits === null) return "start";
  const budget = budgetOf(s);
  if (budget.paused !== null) return "waiting";
  if (!isReached(budget.spent, limits)) return "start";
  if (budget.once > 0) {
    budget.once -= 1;
    return "start";
  }
  budget.paused = { item: newInboxId(), since: at };
  return "paused";
}

/** The `budget.reached` event of a run that just paused. */
export function reachedEvent(s: ExecutionState): Record<string, unknown> {
  const limits = runLimits(s) ?? {};
  const spent = s.budget?.spent ?? { usd: 0, tokens: 0 };
  const item = s.budget?.paused?.item;
  return {
    executionId: s.id,
    workflow: s.workflow,
    ...budgetAmounts(spent, limits),
    item,
    message: `workflow ${s.workflow} (run ${s.id}) reached its budget (${describeSpend(spent, limits)}); no new step starts: claude-agent answer ${item} raise|once|stop`,
  };
}

/** Opens the item of a paused run (idempotent; `known`: items this driver opened already). */
export async function ensureBudgetItem(deps: EngineDeps, s: ExecutionState, known: Set<string>): Promise<void> {
  const paused = s.budget?.paused;
  if (deps.inbox === null || paused == null || known.has(paused.item)) return;
  const source = { type: "budget" as const, executionId: s.id, workflow: s.workflow };
  const spec = budgetItem({
    id: paused.item,
    source,
    who: `workflow ${s.workflow} (run ${s.id})`,
    spend: s.budget?.spent ?? { usd: 0, tokens: 0 },
    limits: runLimits(s) ?? {},
    stopMeans: "the run is cancelled",
  });
  await deps.inbox.open(spec);
  known.add(paused.item);
}

/** What the answer of `item` decides for the stored run; throws UsageError when it does not apply (or asks the impossible). */
export function decideRunBudget(s: ExecutionState, item: string, answer: InboxAnswer): BudgetDecision {
  if (s.status !== "running") throw budgetUsage(`execution "${s.id}" is ${s.status}`);
  if (s.budget?.paused?.item !== item) throw budgetUsage(`execution "${s.id}" is not paused for inbox item ${item}`);
  return budgetDecision(answer, s.budget.spent, runLimits(s) ?? {});
}

/** Applies a decision: the pause ends (a `stop` then cancels the run, which the caller does). */
export function applyRunBudget(s: ExecutionState, decision: BudgetDecision): void {
  const budget = budgetOf(s);
  budget.paused = null;
  if (decision.kind === "once") budget.once += 1;
  if (decision.kind === "raise") budget.raised = { ...budget.raised, ...decision.raised };
}

function budgetUsage(message: string): UsageError {
  return new UsageError(message, { hint: "`claude-agent inbox` lists the open items." });
}
