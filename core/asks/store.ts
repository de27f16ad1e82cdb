/**
 * Policy asks: a command an agent's `ask` rule matched waits for a person.
 * One hash per ask (`<prefix>:policy-ask:<id>`): the inbox item that asks,
 * the agent, the task, the rule and the command (redacted), and, once given,
 * the answer. The id is the task's id for a task held before dispatch, or
 * `<task>.<call>` for one tool call of a running task. The hash is the
 * record: the item, the answer and a held task's hold survive a restart of
 * every process, and the answer is written once (HSETNX) whoever races.
 */
import type { Redis } from "ioredis";
import type { InboxAnswer } from "../inbox/index.js";
import type { Keys } from "../keys.js";

export interface PolicyAskRecord {
  readonly id: string;
  readonly item: string;
  readonly agent: string;
  readonly taskId: string;
  readonly rule: string;
  readonly command: string;
  /** The person's answer, once given. */
  readonly answer: InboxAnswer | null;
}

/** How long an ask's record outlives its answer: a task approved then retried (a lost pane) is not asked again. */
const ANSWERED_TTL_SEC = 30 * 24 * 3600;

/** A tool call's ask id: the task's, a dot, the call's (ids of ours: no dot inside either). */
export function callAskId(taskId: string, call: string): string {
  return `${taskId}.${call}`;
}

export class PolicyAsks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(id: string): Promise<PolicyAskRecord | null> {
    const h = await this.redis.hgetall(this.keys.policyAsk(id));
    if (!h.item || !h.agent || !h.taskId) return null;
    let answer: InboxAnswer | null = null;
    if (h.answer) {
      try {
        answer = JSON.parse(h.answer) as InboxAnswer;
      } catch {
        answer = null;
      }
    }
    return { id, item: h.item, agent: h.agent, taskId: h.taskId, rule: h.rule ?? "", command: h.command ?? "", answer };
  }

  /**
   * Records the ask, keeping an item id an earlier raise claimed (a bridge that died between claiming and
   * opening reopens the same item); returns the item id to open.
   */
  async claim(spec: Omit<PolicyAskRecord, "answer" | "item">, item: string, now = Date.now()): Promise<string> {
    const key = this.keys.policyAsk(spec.id);
    const replies = await this.redis
      .multi()
      .hsetnx(key, "item", item)
      .hset(key, { agent: spec.agent, taskId: spec.taskId, rule: spec.rule, command: spec.command })
      .zadd(this.keys.policyAsks, "NX", now, spec.id)
      .hget(key, "item")
      .exec();
    const stored = replies?.[3]?.[1];
    return typeof stored === "string" ? stored : item;
  }

  /** Writes the answer once; false when one was there already. */
  async decide(id: string, answer: InboxAnswer): Promise<boolean> {
    const key = this.keys.policyAsk(id);
    const written = await this.redis.hsetnx(key, "answer", JSON.stringify(answer));
    if (written === 1) await this.redis.expire(key, ANSWERED_TTL_SEC);
    return written === 1;
  }

  /** Tells the bridge an ask was answered (it lets the task or the call go on). */
  async wake(id: string): Promise<void> {
    await this.redis.publish(this.keys.policyAskChannel, id);
  }

  /** The ids of asks not cleared yet, oldest first. */
  pending(limit = 1000): Promise<string[]> {
    return this.redis.zrange(this.keys.policyAsks, 0, limit - 1);
  }

  /** Out of the pending set (the record stays until its time, so a retried task is not asked again). */
  async settled(id: string): Promise<void> {
    await this.redis.zrem(this.keys.policyAsks, id);
  }

  /** Forgets the ask altogether. */
  async clear(id: string): Promise<void> {
    await this.redis.multi().del(this.keys.policyAsk(id)).zrem(this.keys.policyAsks, id).exec();
  }
}
