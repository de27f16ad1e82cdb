/**
 * The daemon's notifier: reads the swarm's event stream on a connection of
 * its own, turns the events some target asked for into messages (a task's
 * event with the task's text, exit code and reason from its record), drops
 * duplicates, and hands each message to the queues of the targets that want
 * it. It never waits for a delivery: a receiver that hangs delays nobody's
 * tasks, only its own later messages.
 *
 * Events published while no daemon runs are not sent (reading starts at the
 * stream's end when the daemon starts); what is still queued at shutdown gets
 * a short grace period, then is logged as abandoned.
 */
import type { Redis } from "ioredis";
import { EventStream, type LogFn, type NotifyEventName, type Redactor, type SwarmConfig, type SwarmEvent } from "../../core/index.js";
import { DEFAULT_DELIVERY, type DeliveryPolicy } from "./delivery.js";
import { Dedup } from "./gates.js";
import { messageOf, type TaskFacts } from "./message.js";
import { isUnusable, senderFor } from "./senders.js";
import { TargetQueue } from "./target-queue.js";
import { notifyNameOf, streamTypesOf, subjectOf } from "./vocabulary.js";

export interface NotifierOptions {
  readonly config: Pick<SwarmConfig, "notify" | "supervisor" | "llm">;
  /** The swarm's name, in every message. */
  readonly swarm: string;
  /** The event stream's key. */
  readonly streamKey: string;
  /** A new connection of its own, for the blocking reads (closed by close()). */
  readonly blocking: Redis;
  /** Read after this stream id (the daemon takes it before its bridge starts, so nothing of this run is missed). */
  readonly after: string;
  /** The task's record, for a task event's text, exit code and reason. */
  readonly taskFacts?: (taskId: string) => Promise<TaskFacts | null>;
  readonly redact: Redactor;
  readonly log: LogFn;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly policy?: DeliveryPolicy;
  readonly now?: () => number;
  readonly blockMs?: number;
  /** How long queued deliveries may still go at shutdown. */
  readonly graceMs?: number;
}

interface Route {
  readonly names: readonly NotifyEventName[];
  readonly types: ReadonlySet<string>;
  readonly queue: TargetQueue;
}

export class Notifier {
  private readonly routes: Route[] = [];
  private readonly dedup = new Dedup();
  private readonly stream: EventStream;
  private readonly now: () => number;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  private constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
    this.stream = new EventStream(options.blocking, options.streamKey);
    options.blocking.on("error", () => undefined); // a read failure is reported by run(); the connection retries by itself
    const env = options.env ?? process.env;
    for (const target of options.config.notify ?? []) {
      const sender = senderFor(target, env, options.config);
      if (isUnusable(sender)) {
        options.log("notify.unusable", { target: target.name, type: target.type, problem: sender.problem, hint: sender.hint });
        continue;
      }
      const queue = new TargetQueue(sender, { policy: options.policy ?? DEFAULT_DELIVERY, log: options.log, now: this.now });
      this.routes.push({ names: target.events, types: streamTypesOf(target.events), queue });
    }
  }

  /** Starts reading; a notifier with no usable target reads nothing. */
  static start(options: NotifierOptions): Notifier {
    const notifier = new Notifier(options);
    if (notifier.routes.length > 0) notifier.loop = notifier.run(options.after);
    return notifier;
  }

  /** The names of the targets it delivers to: those usable in this environment. */
  get targets(): readonly string[] {
    return this.routes.map((route) => route.queue.name);
  }

  /** Stops reading, lets queued deliveries finish within the grace period. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.options.blocking.disconnect();
      await this.loop;
      await Promise.all(this.routes.map((route) => route.queue.close(this.options.graceMs ?? 2000)));
    })();
    return this.closing;
  }

  private async run(after: string): Promise<void> {
    let cursor = after;
    let backoff = 250;
    while (!this.stopped) {
      try {
        const events = await this.stream.read(cursor, this.options.blockMs ?? 5000, 200);
        for (const event of events) {
          cursor = event.id;
          await this.handle(event);
        }
        backoff = 250;
      } catch (error) {
        if (this.stopped) return;
        this.options.log("notify.read-failed", { error });
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async handle(event: SwarmEvent): Promise<void> {
    const routes = this.routes.filter((route) => route.types.has(event.type));
    if (routes.length === 0) return;
    const subject = subjectOf(event as SwarmEvent & Record<string, string | undefined>);
    if (!this.dedup.admit(`${event.type}\u0000${subject ?? event.id}`, this.now())) {
      this.options.log("notify.duplicate", { event: event.type, subject });
      return;
    }
    // Unread facts: the message says what the event says, without the record's text and reason.
    const facts = event.taskId && this.options.taskFacts ? await this.options.taskFacts(event.taskId).catch(() => null) : null;
    const message = messageOf(event, this.options.swarm, this.options.redact, facts);
    if (message === null) return;
    for (const route of routes) route.queue.offer({ ...message, event: notifyNameOf(event.type, route.names) ?? message.event });
  }
}
