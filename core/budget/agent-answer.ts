import { UsageError } from "../errors.js";
import type { InboxAnswer, InboxItem, InboxStore } from "../inbox/index.js";
import type { AgentSpend } from "./agent-spend.js";
import { budgetDecision } from "./ask.js";
import { periodOf } from "./period.js";
import { effectiveLimits, type AgentBudget } from "./types.js";

/**
 * Applies a person's answer to an agent's budget item: the decision goes to
 * the period's hash first (once per item: agent-spend.ts), then on the item,
 * then the bridge is told to look again (it lifts its hold when the agent may
 * run). An item whose period is over, or whose agent has no budget any more,
 * is withdrawn instead: nobody waits for it.
 */
export async function answerAgentBudget(
  deps: { readonly spend: AgentSpend; readonly inbox: InboxStore; readonly now?: number },
  item: InboxItem,
  answer: InboxAnswer,
  budget: AgentBudget | undefined,
): Promise<void> {
  const source = item.source;
  if (source.type !== "budget" || !("agent" in source)) throw new TypeError(`inbox item ${item.id} is not an agent's budget`);
  const { agent, period } = source;
  const now = deps.now ?? Date.now();
  const gone =
    budget === undefined ? `agent ${agent} has no budget any more` : periodOf(budget.per, now).key !== period ? `its budget period ${period} is over` : null;
  if (gone !== null || budget === undefined) {
    await deps.inbox.withdraw(item.id, gone ?? "");
    throw new UsageError(`inbox item ${item.id} no longer applies: ${gone}`, { context: { item: item.id } });
  }
  const state = await deps.spend.read(agent, budget.per, now);
  const decision = budgetDecision(answer, state.spend, effectiveLimits(budget, state.raised));
  if ((await deps.spend.apply(agent, period, item.id, decision)) === "stale") {
    await deps.inbox.withdraw(item.id, "a newer item asks about this budget");
    throw new UsageError(`inbox item ${item.id} no longer applies: a newer item asks about agent ${agent}'s budget`, {
      hint: "`claude-agent inbox` lists the open items.",
      context: { item: item.id },
    });
  }
  await deps.inbox.answer(item.id, answer);
  await deps.spend.wake(agent);
}
