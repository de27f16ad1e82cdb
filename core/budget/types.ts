/**
 * Budgets: what an agent (per day, week or month) or a workflow run may
 * spend, in US dollars and/or tokens, and what has been spent. At the limit
 * the agent's queue (or the run) pauses and an inbox item asks what to do.
 */

export type BudgetPeriod = "day" | "week" | "month";
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ["day", "week", "month"];

/** At least one is set once normalized (core/config/budget-rules.ts). */
export interface BudgetLimits {
  readonly usd?: number;
  readonly tokens?: number;
}

/** `budget:` of an agent: limits per period (UTC). */
export interface AgentBudget extends BudgetLimits {
  readonly per: BudgetPeriod;
}

export interface Spend {
  /** What the programs reported the tasks cost (`costUsd`). */
  readonly usd: number;
  /** Input plus output tokens the programs reported. */
  readonly tokens: number;
}

export const NO_SPEND: Spend = Object.freeze({ usd: 0, tokens: 0 });

/** Whether `spend` is at or over one of the limits. */
export function isReached(spend: Spend, limits: BudgetLimits): boolean {
  return (limits.usd !== undefined && spend.usd >= limits.usd) || (limits.tokens !== undefined && spend.tokens >= limits.tokens);
}

/** `limits` with what `raised` replaces (an answer's new limit for the rest of the period). */
export function effectiveLimits(limits: BudgetLimits, raised: BudgetLimits): BudgetLimits {
  const usd = raised.usd ?? limits.usd;
  const tokens = raised.tokens ?? limits.tokens;
  return { ...(usd !== undefined && { usd }), ...(tokens !== undefined && { tokens }) };
}

/** One line a person reads: `12345 of 10000 tokens, $0.42 of $20`. */
export function describeSpend(spend: Spend, limits: BudgetLimits): string {
  const parts: string[] = [];
  if (limits.tokens !== undefined) parts.push(`${spend.tokens} of ${limits.tokens} tokens`);
  if (limits.usd !== undefined) parts.push(`${formatUsd(spend.usd)} of ${formatUsd(limits.usd)}`);
  return parts.join(", ");
}

export function formatUsd(usd: number): string {
  return `$${usd < 1 && usd > 0 ? usd.toFixed(4).replace(/0+$/, "") : usd.toFixed(2).replace(/\.00$/, "")}`;
}

/** The tokens of a task's record (input plus output; either may be missing). */
export function tokensOf(figures: { readonly inputTokens?: number; readonly outputTokens?: number }): number {
  return (figures.inputTokens ?? 0) + (figures.outputTokens ?? 0);
}

/** A `budget.reached` event's `spent` and `limit`: the limited figures, `5234 tokens, $0.0412` and `5000 tokens, $20`. */
export function budgetAmounts(spend: Spend, limits: BudgetLimits): { spent: string; limit: string } {
  const spent: string[] = [];
  const limit: string[] = [];
  if (limits.tokens !== undefined) spent.push(`${spend.tokens} tokens`), limit.push(`${limits.tokens} tokens`);
  if (limits.usd !== undefined) spent.push(formatUsd(spend.usd)), limit.push(formatUsd(limits.usd));
  return { spent: spent.join(", "), limit: limit.join(", ") };
}
