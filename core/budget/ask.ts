import { UsageError } from "../errors.js";
import type { InboxAnswer, InboxQuestion, InboxSource, NewInboxItem } from "../inbox/index.js";
import { describeSpend, effectiveLimits, isReached, type BudgetLimits, type Spend } from "./types.js";

/**
 * The inbox item a budget opens at its limit, and what its answer means:
 * `raise` (new limits for the rest of the period, or of the run), `once` (one
 * more task, then pause again), `stop` (stay paused: until the next period for
 * an agent; a run is cancelled).
 */
export type BudgetDecision = { readonly kind: "raise"; readonly raised: BudgetLimits } | { readonly kind: "once" } | { readonly kind: "stop" };

export const BUDGET_QUESTIONS: readonly InboxQuestion[] = [
  { name: "decision", prompt: "raise the budget, continue once (one more task), or stop", choices: ["raise", "once", "stop"], required: true },
  { name: "usd", prompt: "with raise: the new limit in US dollars", pattern: "\\d+(?:\\.\\d+)?", required: false },
  { name: "tokens", prompt: "with raise: the new limit in tokens", pattern: "\\d+", required: false },
];

/** The item asking about `who` (`agent coder (day 2025-03-14)`, `workflow deploy run 123`), spent and limits. */
export function budgetItem(spec: {
  readonly id: string;
  readonly source: InboxSource & { readonly type: "budget" };
  readonly who: string;
  readonly spend: Spend;
  readonly limits: BudgetLimits;
  readonly stopMeans: string;
}): NewInboxItem {
  const spent = describeSpend(spec.spend, spec.limits);
  return {
    id: spec.id,
    kind: "input",
    title: `budget: ${spec.who} reached its limit (${spent})`,
    text:
      `${spec.who} has spent ${spent} and is paused; the task running now finishes, no new one starts.\n` +
      `Answer raise with a new limit (--field tokens=N or --field usd=N), once to run one more task, or stop (${spec.stopMeans}).`,
    questions: BUDGET_QUESTIONS,
    source: spec.source,
  };
}

/** What an answer (checked against BUDGET_QUESTIONS) decides; UsageError for a raise that raises nothing. */
export function budgetDecision(answer: InboxAnswer, spend: Spend, limits: BudgetLimits): BudgetDecision {
  const values = "values" in answer ? answer.values : {};
  const decision = values.decision;
  if (decision === "once" || decision === "stop") return { kind: decision };
  if (decision !== "raise") throw new UsageError(`a budget item takes raise, once or stop, got ${JSON.stringify(decision ?? "")}`);
  const raised: BudgetLimits = {
    ...(values.usd !== undefined && values.usd !== "" && { usd: Number(values.usd) }),
    ...(values.tokens !== undefined && values.tokens !== "" && { tokens: Number(values.tokens) }),
  };
  const after = effectiveLimits(limits, raised);
  if (raised.usd === undefined && raised.tokens === undefined)
    throw new UsageError("raise needs a new limit", { hint: `Add --field tokens=N or --field usd=N (spent so far: ${describeSpend(spend, limits)}).` });
  if (isReached(spend, after))
    throw new UsageError(`the new limit is already reached: ${describeSpend(spend, after)}`, { hint: "Give a limit above what was spent." });
  return { kind: "raise", raised };
}
