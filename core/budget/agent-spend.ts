import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";
import { runScript } from "../ledger-run.js";
import type { BudgetDecision } from "./ask.js";
import { periodOf, type PeriodWindow } from "./period.js";
import { APPLY_ANSWER, CLAIM_ITEM, COUNT_SPEND, GIVE_ONCE, TAKE_ONCE } from "./scripts.js";
import type { BudgetLimits, BudgetPeriod, Spend } from "./types.js";

/** A period's hash stays this long after the period ended (`status` of yesterday, an amendment that comes late). */
const KEEP_AFTER_MS = 7 * 24 * 3600 * 1000;

/** An agent's budget in one period, as Redis has it. */
export interface AgentBudgetState {
  readonly period: PeriodWindow;
  readonly spend: Spend;
  /** Limits a `raise` answer set for the rest of the period. */
  readonly raised: BudgetLimits;
  /** "Continue once" credits not used yet. */
  readonly once: number;
  /** Answered `stop`: paused until the period ends, asking nothing more. */
  readonly stopped: boolean;
  /** The inbox item that asks about the limit ("" while none has). */
  readonly item: string;
  /** The item whose answer was applied ("" while none). */
  readonly applied: string;
}

/**
 * What each agent spent per period (`<prefix>:spend:<agent>:<period>`, a hash:
 * `usd`, `tokens`, what was counted per task, and the period's answers). Every
 * change is one Lua script (scripts.ts), so the bridge, a client answering an
 * item and `status` never see half of one.
 */
export class AgentSpend {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Counts a task's figures in the period of `at` (its finish time); counting it again adds only what is new. */
  async count(agent: string, per: BudgetPeriod, taskId: string, figures: Spend, at: number): Promise<Spend> {
    const period = periodOf(per, at);
    const expireAt = String(Math.ceil((period.end + KEEP_AFTER_MS) / 1000));
    const reply = (await runScript(
      this.redis,
      COUNT_SPEND,
      1,
      this.keys.spend(agent, period.key),
      expireAt,
      `t:${taskId}`,
      String(figures.usd),
      String(Math.round(figures.tokens)),
    )) as [string, string];
    return { usd: Number(reply[0]), tokens: Number(reply[1]) };
  }

  async read(agent: string, per: BudgetPeriod, now: number): Promise<AgentBudgetState> {
    const period = periodOf(per, now);
    const [usd, tokens, raisedUsd, raisedTokens, once, stopped, item, applied] = await this.redis.hmget(
      this.keys.spend(agent, period.key),
      "usd",
      "tokens",
      "raised.usd",
      "raised.tokens",
      "once",
      "stopped",
      "item",
      "applied",
    );
    return {
      period,
      spend: { usd: Number(usd ?? 0) || 0, tokens: Number(tokens ?? 0) || 0 },
      raised: { ...(raisedUsd && { usd: Number(raisedUsd) }), ...(raisedTokens && { tokens: Number(raisedTokens) }) },
      once: Number(once ?? 0) || 0,
      stopped: stopped === "1",
      item: item ?? "",
      applied: applied ?? "",
    };
  }

  /** Takes a "continue once" credit of the period; false when there is none. */
  async takeOnce(agent: string, period: PeriodWindow): Promise<boolean> {
    return (await runScript(this.redis, TAKE_ONCE, 1, this.keys.spend(agent, period.key))) === 1;
  }

  async giveOnce(agent: string, period: PeriodWindow): Promise<void> {
    await runScript(this.redis, GIVE_ONCE, 1, this.keys.spend(agent, period.key));
  }

  /** Names `id` as the period's ask when the current one is `expected`; false when another ask got there first. */
  async claimItem(agent: string, period: PeriodWindow, expected: string, id: string): Promise<boolean> {
    return (await runScript(this.redis, CLAIM_ITEM, 1, this.keys.spend(agent, period.key), expected, id)) === 1;
  }

  /** Applies the answer of `item` to the period `periodKey` once (see APPLY_ANSWER). */
  async apply(agent: string, periodKey: string, item: string, decision: BudgetDecision): Promise<"applied" | "again" | "stale"> {
    const raised = decision.kind === "raise" ? decision.raised : {};
    return (await runScript(
      this.redis,
      APPLY_ANSWER,
      1,
      this.keys.spend(agent, periodKey),
      item,
      decision.kind,
      raised.usd === undefined ? "" : String(raised.usd),
      raised.tokens === undefined ? "" : String(raised.tokens),
    )) as "applied" | "again" | "stale";
  }

  /** Tells the bridge to look at the agent's budget again (an answer changed it). */
  async wake(agent: string): Promise<void> {
    await this.redis.publish(this.keys.budgetChannel, agent);
  }
}
