/**
 * The deliveries of one target, one at a time, from a bounded queue in
 * memory: the notifier only ever appends, so a slow or dead receiver delays
 * its own target's messages and nothing else. A full queue drops the newest
 * (counted like the rate limit's and reported with the next delivery).
 */
import type { LogFn } from "../../core/index.js";
import { deliver, type DeliveryPolicy } from "./delivery.js";
import { RateLimit } from "./gates.js";
import { type NotifyMessage, withSuppressed } from "./message.js";
import type { Sender } from "./sender.js";

/** Enough for a burst that the rate limit lets through while the receiver is slow. */
export const QUEUE_CAPACITY = 100;

export interface TargetQueueOptions {
  readonly policy: DeliveryPolicy;
  readonly log: LogFn;
  readonly now: () => number;
  readonly capacity?: number;
}

export class TargetQueue {
  private readonly waiting: NotifyMessage[] = [];
  private readonly rate: RateLimit;
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly sender: Sender,
    private readonly options: TargetQueueOptions,
  ) {
    this.rate = new RateLimit(sender.target.ratePerMinute);
  }

  get name(): string {
    return this.sender.target.name;
  }

  /** Queues the message unless the rate limit or a full queue holds it back; returns at once. */
  offer(message: NotifyMessage): void {
    if (this.closed) return;
    const name = this.sender.target.name;
    if (!this.rate.take(this.options.now())) {
      this.options.log("notify.suppressed", { target: name, event: message.type, subject: message.subject, why: "rate limit" });
      return;
    }
    if (this.waiting.length >= (this.options.capacity ?? QUEUE_CAPACITY)) {
      this.dropped++;
      this.options.log("notify.suppressed", { target: name, event: message.type, subject: message.subject, why: "queue full" });
      return;
    }
    const held = this.rate.drainHeld() + this.dropped;
    this.dropped = 0;
    this.waiting.push(withSuppressed(message, held));
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Stops taking messages, gives those queued `graceMs` to go, then abandons the rest (logged). Idempotent. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.running) {
      const timer = setTimeout(() => this.stop.abort(), graceMs);
      await this.running;
      clearTimeout(timer);
    }
    this.stop.abort();
  }

  private async drain(): Promise<void> {
    const name = this.sender.target.name;
    for (let message = this.waiting.shift(); message !== undefined; message = this.waiting.shift()) {
      if (this.stop.signal.aborted) {
        this.options.log("notify.abandoned", { target: name, event: message.type, subject: message.subject, queued: this.waiting.length + 1 });
        this.waiting.length = 0;
        return;
      }
      const result = await deliver(this.sender, message, this.options.policy, this.stop.signal);
      if (result.ok)
        this.options.log("notify.sent", { target: name, where: this.sender.where, event: message.type, subject: message.subject, attempts: result.attempts });
      else
        this.options.log("notify.failed", {
          target: name,
          where: this.sender.where,
          event: message.type,
          subject: message.subject,
          attempts: result.attempts,
          error: result.error.message,
          hint: result.error.hint,
        });
    }
  }
}
