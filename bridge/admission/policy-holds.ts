/**
 * Tasks held for a person's approval: a shell task (or any task's gate) with a
 * command its agent's policy `ask` rule matches is not dispatched until an
 * inbox item is answered. While it waits it takes no session and no worker
 * slot: its BullMQ job is moved to `delayed` (no attempt spent) and promoted
 * when the answer comes (a message on `<prefix>:policy-ask`), or looked at
 * again after RECHECK_MS in case that message was missed. The ask's record
 * in Redis (core/asks) is the hold: a restarted bridge finds the item open
 * and holds again, or finds the answer and applies it.
 */
import { Queue, type Job } from "bullmq";
import type { Redis } from "ioredis";
import {
  deniedReason,
  newInboxId,
  policyAskItem,
  queueName,
  type InboxStore,
  type Keys,
  type PolicyAsks,
  type Redactor,
  type TaskRecord,
} from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { Asking } from "../policy-check.js";

/** A held job is looked at again this long after it was parked, in case the answer's wake-up was missed. */
export const RECHECK_MS = 5 * 60_000;

export type HoldDecision = { readonly kind: "run" } | { readonly kind: "denied"; readonly reason: string } | { readonly kind: "held"; readonly item: string };

export interface PolicyHoldsDeps {
  readonly asks: PolicyAsks;
  readonly inbox: InboxStore;
  readonly redis: Redis;
  readonly keys: Keys;
  /** Makes the connection the wake-up subscription holds. */
  readonly connect: (name: string) => Redis;
  readonly redact: Redactor;
  readonly log: BridgeLog;
}

export class PolicyHolds {
  private readonly queues = new Map<string, Queue>();
  private subscriber: Redis | null = null;

  constructor(private readonly deps: PolicyHoldsDeps) {}

  /** Listens for answers, and lets go the held tasks answered while no bridge listened: call before the workers start. */
  async start(): Promise<void> {
    const subscriber = this.deps.connect("bridge:policy-ask");
    this.subscriber = subscriber;
    subscriber.on("error", (error: Error) => this.deps.log("policy-ask.error", { error }));
    subscriber.on("message", (_channel: string, id: string) => void this.answered(id));
    await subscriber.subscribe(this.deps.keys.policyAskChannel);
    for (const id of await this.deps.asks.pending()) await this.answered(id);
  }

  /**
   * What becomes of a task the policy asks about: it runs (approved), fails (denied), or is held with its
   * item open (raised now, or already). Idempotent: a task looked at again keeps its one item.
   */
  async judge(record: TaskRecord, asking: Asking): Promise<HoldDecision> {
    const { asks, inbox, redact } = this.deps;
    const ask = await asks.get(record.id);
    if (ask?.answer && "decision" in ask.answer) {
      await asks.settled(record.id);
      if (ask.answer.decision === "approve") {
        this.deps.log("job.ask-approved", { taskId: record.id, by: ask.answer.by });
        return { kind: "run" };
      }
      return { kind: "denied", reason: deniedReason(ask.answer, ask.rule) };
    }
    const command = redact(asking.command);
    const spec = { id: record.id, agent: record.agent, taskId: record.id, rule: asking.rule, command };
    const item = await asks.claim(spec, newInboxId());
    const opened = await inbox.open(policyAskItem({ ...spec, id: item, what: asking.what }));
    if (opened.created) this.deps.log("job.asking", { taskId: record.id, agent: record.agent, item, rule: asking.rule });
    return { kind: "held", item };
  }

  /** Moves a held task's job out of the worker's hands until its answer comes (the caller then throws BullMQ's DelayedError). */
  async park(job: Job, token: string | undefined): Promise<void> {
    await job.moveToDelayed(Date.now() + RECHECK_MS, token);
    // An answer given between the judging and the move found the job active and could not promote it.
    const ask = typeof job.id === "string" ? await this.deps.asks.get(job.id) : null;
    if (ask?.answer) await job.promote().catch(() => undefined); // not promoted: it is judged again in RECHECK_MS
  }

  /** Idempotent. The queues share the bridge's connection: closing them leaves it open. */
  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
    const queues = [...this.queues.values()];
    this.queues.clear();
    void Promise.allSettled(queues.map((queue) => queue.close()));
  }

  /** A held task's ask was answered: its delayed job goes back to waiting now. A tool call's ask (an id with a dot) is not ours here. */
  private async answered(id: string): Promise<void> {
    if (id.includes(".")) return;
    try {
      const ask = await this.deps.asks.get(id);
      if (!ask?.answer) return;
      const job = await this.queueOf(ask.agent).getJob(id);
      if (job && (await job.isDelayed())) await job.promote();
    } catch (error) {
      this.deps.log("policy-ask.error", { taskId: id, error });
    }
  }

  private queueOf(agent: string): Queue {
    let queue = this.queues.get(agent);
    if (!queue) {
      queue = new Queue(queueName(agent), { connection: this.deps.redis, prefix: this.deps.keys.prefix });
      queue.on("error", () => undefined);
      this.queues.set(agent, queue);
    }
    return queue;
  }
}
