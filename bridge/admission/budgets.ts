/**
 * Agents' budgets (`budget:` in swarm.yaml, core/budget): each task's cost and
 * tokens are counted when it ends (and again when its tokens come later); at
 * the limit the agent's queue is held (holds.ts, reason `budget`) until the
 * period ends, a `budget.reached` event is published and one inbox item asks
 * to raise the limit, continue once or stop. A client applies the answer to
 * the period's hash and wakes this class (pub/sub), which looks again. The
 * hash is the record: a restarted bridge holds again from it.
 */
import type { Redis } from "ioredis";
import {
  budgetAmounts,
  budgetItem,
  describeSpend,
  effectiveLimits,
  isReached,
  newInboxId,
  tokensOf,
  type AgentBudget,
  type AgentBudgetState,
  type AgentConfig,
  type AgentSpend,
  type EventStream,
  type InboxStore,
  type Keys,
  type Ledger,
  type Spend,
} from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { Holds, HoldScope } from "./holds.js";

export interface BudgetsDeps {
  readonly agents: readonly AgentConfig[];
  readonly spend: AgentSpend;
  readonly ledger: Ledger;
  readonly inbox: InboxStore;
  readonly events: EventStream;
  readonly holds: Holds;
  readonly keys: Keys;
  /** Makes the connection the wake-up subscription holds. */
  readonly connect: (name: string) => Redis;
  readonly log: BridgeLog;
  readonly now?: () => number;
}

/** What admission hears: run (giving back a "continue once" credit if the job then does not run), or hold. */
export type BudgetAdmission = { readonly allowed: true; readonly refund: () => Promise<void> } | { readonly allowed: false };

const FREE: BudgetAdmission = { allowed: true, refund: async () => undefined };

export class Budgets {
  private readonly budgets: Map<string, AgentBudget>;
  /** The open item of each held agent, withdrawn when the period ends. */
  private readonly items = new Map<string, string>();
  private subscriber: Redis | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: BudgetsDeps) {
    this.now = deps.now ?? Date.now;
    this.budgets = new Map(deps.agents.flatMap((agent) => (agent.budget ? [[agent.name, agent.budget] as const] : [])));
    deps.holds.whenReleased("budget", (scope) => this.released(scope));
  }

  /** Listens for answers, and holds the agents a previous bridge left at their limit: call before the workers start. */
  async start(): Promise<void> {
    if (this.budgets.size === 0) return;
    const subscriber = this.deps.connect("bridge:budget");
    this.subscriber = subscriber;
    // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt while Redis is down.
    subscriber.on("error", (error: Error) => this.deps.log("budget.error", { error }));
    subscriber.on("message", (_channel: string, agent: string) => {
      if (this.budgets.has(agent)) void this.check(agent).catch((error) => this.deps.log("budget.error", { agent, error }));
    });
    await subscriber.subscribe(this.deps.keys.budgetChannel);
    for (const agent of this.budgets.keys()) await this.check(agent);
  }

  /** After a task ended (or got its tokens later): counts its figures once, then holds the agent if that reached the limit. */
  async counted(agent: string, taskId: string): Promise<void> {
    const budget = this.budgets.get(agent);
    if (!budget) return;
    try {
      const record = await this.deps.ledger.get(taskId);
      if (!record) return;
      const figures: Spend = { usd: record.costUsd ?? 0, tokens: tokensOf(record) };
      const at = Date.parse(record.finishedAt ?? "") || this.now();
      const spent = await this.deps.spend.count(agent, budget.per, taskId, figures, at);
      this.deps.log("budget.counted", { agent, taskId, usd: figures.usd, tokens: figures.tokens, spentUsd: spent.usd, spentTokens: spent.tokens });
      await this.check(agent);
    } catch (error) {
      this.deps.log("budget.error", { agent, taskId, error });
    }
  }

  /** Whether a job of the agent may run now; at the limit a "continue once" credit lets exactly one through. */
  async admit(agent: string): Promise<BudgetAdmission> {
    const budget = this.budgets.get(agent);
    if (!budget) return FREE;
    const state = await this.deps.spend.read(agent, budget.per, this.now());
    if (!isReached(state.spend, effectiveLimits(budget, state.raised))) return FREE;
    if (!state.stopped && (await this.deps.spend.takeOnce(agent, state.period))) {
      this.deps.log("budget.once", { agent });
      return { allowed: true, refund: () => this.deps.spend.giveOnce(agent, state.period) };
    }
    await this.pause(agent, budget, state);
    return { allowed: false };
  }

  /** Looks at the agent's budget again: held at the limit (without a credit), let go below it. */
  async check(agent: string): Promise<void> {
    const budget = this.budgets.get(agent);
    if (!budget) return;
    const state = await this.deps.spend.read(agent, budget.per, this.now());
    const reached = isReached(state.spend, effectiveLimits(budget, state.raised));
    if (reached && (state.stopped || state.once === 0)) await this.pause(agent, budget, state);
    else await this.deps.holds.release({ agent }, "budget");
  }

  /** Idempotent. */
  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  /** Holds the agent until the period ends and makes sure one open item asks about it (none after `stop`). */
  private async pause(agent: string, budget: AgentBudget, state: AgentBudgetState): Promise<void> {
    if (await this.deps.holds.hold({ agent }, "budget", state.period.end)) this.deps.log("budget.paused", { agent, period: state.period.key });
    if (state.stopped) return;
    const limits = effectiveLimits(budget, state.raised);
    const asking = state.item !== "" && state.item !== state.applied ? await this.deps.inbox.get(state.item) : null;
    if (asking?.status === "open") return void this.items.set(agent, asking.id);
    const id = newInboxId();
    if (!(await this.deps.spend.claimItem(agent, state.period, state.item, id))) return; // another look got there first
    const source = { type: "budget" as const, agent, period: state.period.key };
    const who = `agent ${agent} (${budget.per} ${state.period.key})`;
    await this.deps.inbox.open(budgetItem({ id, source, who, spend: state.spend, limits, stopMeans: "paused until the next period starts" }));
    this.items.set(agent, id);
    await this.deps.events.publish("budget.reached", {
      agent,
      ...budgetAmounts(state.spend, limits),
      period: state.period.key,
      until: new Date(state.period.end).toISOString(),
      item: id,
      message: `agent ${agent} reached its ${budget.per}ly budget (${describeSpend(state.spend, limits)}); its queue is paused: claude-agent answer ${id} raise|once|stop`,
    });
  }

  /** The hold ended: an answer let it go, or the period is over (then its item asks about nothing any more). */
  private async released({ agent }: HoldScope): Promise<void> {
    const item = this.items.get(agent);
    this.items.delete(agent);
    if (item !== undefined) await this.deps.inbox.withdraw(item, "a new budget period started");
    await this.deps.events.publish("budget.resumed", { agent, message: `agent ${agent} takes tasks again (budget)` });
  }
}
