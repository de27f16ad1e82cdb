/**
 * `budget:` of an agent (`{ usd: 20, tokens: 5000000, per: day }`: limits per
 * day, week or month, in UTC) and of a workflow run (`{ usd, tokens }` at the
 * top of a workflow file). At least one limit; `per` defaults to `day`.
 * What happens at the limit is core/budget's and the bridge's business.
 */
import { z } from "zod";
import { BUDGET_PERIODS, type AgentBudget, type BudgetLimits } from "../budget/types.js";

const shown = (value: unknown): string => (value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value)));
const expecting = (what: string) => ({
  errorMap: (_issue: z.ZodIssueOptionalMessage, ctx: { data: unknown }) => ({ message: `expected ${what}, got ${shown(ctx.data)}` }),
});

const usd = z.number(expecting("a positive number of US dollars, such as 20 or 2.5")).positive().finite();
const tokens = z.number(expecting("a positive whole number of tokens, such as 5000000")).int().positive();
const per = z.enum(BUDGET_PERIODS as [string, ...string[]], expecting(`one of ${BUDGET_PERIODS.map((p) => JSON.stringify(p)).join(", ")}`));

const ONE_LIMIT = "expected `usd` and/or `tokens` (a budget with no limit limits nothing)";

export const rawAgentBudgetSchema = z
  .object({ usd: usd.optional(), tokens: tokens.optional(), per: per.optional() }, expecting("a mapping such as { usd: 20, tokens: 5000000, per: day }"))
  .strict()
  .refine((b) => b.usd !== undefined || b.tokens !== undefined, ONE_LIMIT);

export const rawRunBudgetSchema = z
  .object({ usd: usd.optional(), tokens: tokens.optional() }, expecting("a mapping such as { usd: 5, tokens: 1000000 }"))
  .strict()
  .refine((b) => b.usd !== undefined || b.tokens !== undefined, ONE_LIMIT);

export type RawAgentBudget = z.infer<typeof rawAgentBudgetSchema>;

export function normalizeAgentBudget(raw: RawAgentBudget): AgentBudget {
  return Object.freeze({ ...normalizeRunBudget(raw), per: (raw.per ?? "day") as AgentBudget["per"] });
}

export function normalizeRunBudget(raw: { readonly usd?: number; readonly tokens?: number }): BudgetLimits {
  return Object.freeze({ ...(raw.usd !== undefined && { usd: raw.usd }), ...(raw.tokens !== undefined && { tokens: raw.tokens }) });
}
