/**
 * One reader of the swarm's event stream for the whole API: a blocking XREAD
 * on its own connection, fanned out to every SSE and WebSocket subscriber and
 * to the metrics. A subscriber that resumes from an id catches up with XRANGE
 * while the live events that arrive meanwhile wait in its buffer; ids decide
 * what is new, so the hand-over from catch-up to live has no gap and no
 * duplicate.
 *
 * The hub pauses coalesceMs after each delivery before it reads again: the
 * first event after a quiet spell goes out at once, and in a burst events go
 * out in batches at most every coalesceMs (unless a full batch is waiting).
 * It pauses with no subscriber too: the metrics it then feeds alone need no
 * more than ten readings a second, and a read per event woke the daemon's
 * event loop about six times per task (0.5 ms of its CPU per task in a CPU
 * profile of one-at-a-time `POST /v1/tasks?wait=`, at the moment each task
 * ended, when the API answers). Each delivery costs every subscriber a
 * socket write, and a write per event was the fan-out's main cost: 100 SSE
 * clients during a 1,000-task burst took 1,566 writes each, 12.7 % of a
 * core, most of it in writev (a CPU profile of the daemon); with 50 ms
 * pauses, 219 writes each.
 */
import type { Redis } from "ioredis";
import { toEvent, type SwarmEvent } from "../../core/index.js";
import { eventPredicate, isAfter, type EventFilter } from "./filter.js";

export interface Delivery {
  events(events: readonly SwarmEvent[]): void;
  /** Events between the resume id and the oldest one kept were trimmed from the stream. */
  gap(info: { after: string; firstId: string }): void;
  /** The hub cannot go on serving this subscriber (Redis went away mid catch-up); the client resumes from its last id. */
  end(reason: string): void;
}

export interface Subscription {
  close(): void;
}

type Entry = [string, string[]];

const READ_BLOCK_MS = 5000;
const BATCH = 1000;
/**
 * Live events reach subscribers this much later at most, and only in a burst; 10 deliveries a second are
 * plenty for a dashboard. With 50 ms, 100 SSE clients in a 1,000-task burst still cost 4.5 % of a core (profiled).
 */
export const DEFAULT_COALESCE_MS = 100;

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners = new Set<(events: readonly SwarmEvent[]) => void>();
  private cursor = "0-0";
  private loop: Promise<void> | null = null;
  private closed = false;
  private pause: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  /** `blocking` is the hub's own connection (a blocking read holds it); `redis` serves catch-up reads. */
  constructor(
    private readonly blocking: Redis,
    private readonly redis: Redis,
    private readonly key: string,
    private readonly coalesceMs = DEFAULT_COALESCE_MS,
  ) {}

  async start(): Promise<void> {
    const last = (await this.redis.xrevrange(this.key, "+", "-", "COUNT", 1)) as Entry[];
    this.cursor = last[0]?.[0] ?? "0-0";
    this.loop = this.run();
  }

  /** Every batch of new events, in order (the metrics count terminal states from it). */
  onEvents(listener: (events: readonly SwarmEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Live events matching `filter`; with `after`, first every stored event after that id. */
  subscribe(filter: EventFilter, after: string | undefined, delivery: Delivery): Subscription {
    const subscriber = new Subscriber(isEmptyFilter(filter) ? null : eventPredicate(filter), after ?? this.cursor, delivery);
    this.subscribers.add(subscriber);
    if (after !== undefined) void this.catchUp(subscriber, after);
    else subscriber.live = true;
    return { close: () => this.subscribers.delete(subscriber) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    this.blocking.disconnect();
    await this.loop?.catch(() => undefined); // closing: only its end matters (run() retries its own reads)
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let reply: [string, Entry[]][] | null;
      try {
        reply = (await this.blocking.xread("COUNT", BATCH, "BLOCK", READ_BLOCK_MS, "STREAMS", this.key, this.cursor)) as [string, Entry[]][] | null;
      } catch {
        if (this.closed) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      const events = entries.map(toEvent);
      this.cursor = events.at(-1)!.id;
      for (const listener of this.listeners) listener(events);
      for (const subscriber of this.subscribers) subscriber.offer(events);
      if (entries.length < BATCH && this.coalesceMs > 0) await this.wait(this.coalesceMs);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pause = null;
        resolve();
      }, ms);
      this.pause = { timer, resolve };
    });
  }

  private async catchUp(subscriber: Subscriber, after: string): Promise<void> {
    try {
      const first = (await this.redis.xrange(this.key, "-", "+", "COUNT", 1)) as Entry[];
      const firstId = first[0]?.[0];
      if (firstId && after !== "0-0" && (await this.trimmedAfter(after))) subscriber.delivery.gap({ after, firstId });
      let from = after;
      for (;;) {
        const entries = (await this.redis.xrange(this.key, `(${from}`, "+", "COUNT", BATCH)) as Entry[];
        if (!this.subscribers.has(subscriber)) return;
        if (entries.length > 0) {
          subscriber.deliver(entries.map(toEvent));
          from = entries.at(-1)![0];
        }
        if (entries.length < BATCH) break;
      }
      subscriber.goLive();
    } catch (error) {
      this.subscribers.delete(subscriber);
      subscriber.delivery.end(`the event stream could not be read: ${(error as Error).message}`);
    }
  }

  /** Whether entries after `after` were trimmed away (Redis 7 reports the newest deleted id). */
  private async trimmedAfter(after: string): Promise<boolean> {
    const info = (await this.redis.call("XINFO", "STREAM", this.key)) as unknown[];
    const index = info.indexOf("max-deleted-entry-id");
    const maxDeleted = index >= 0 ? String(info[index + 1]) : "0-0";
    return isAfter(maxDeleted, after);
  }
}

/** No field set: every event matches, and a live subscriber is handed the hub's own batch (its frames are built once for all). */
function isEmptyFilter(filter: EventFilter): boolean {
  return filter.agent === undefined && filter.task === undefined && filter.workflow === undefined && !filter.type;
}

class Subscriber {
  live = false;
  private pending: SwarmEvent[] = [];

  /** `matches` null: every event. */
  constructor(
    private readonly matches: ((event: SwarmEvent) => boolean) | null,
    private cursor: string,
    readonly delivery: Delivery,
  ) {}

  offer(events: readonly SwarmEvent[]): void {
    if (!this.live) {
      this.pending.push(...events);
      return;
    }
    this.deliver(events);
  }

  /**
   * Hands on the events newer than what this subscriber has seen, filtered.
   * Events come in stream order, so the new ones are a tail of the batch:
   * for a live subscriber, the whole batch, passed on as the same array.
   */
  deliver(events: readonly SwarmEvent[]): void {
    let start = 0;
    while (start < events.length && !isAfter(events[start]!.id, this.cursor)) start++;
    if (start === events.length) return;
    const fresh = start === 0 ? events : events.slice(start);
    this.cursor = fresh.at(-1)!.id;
    const wanted = this.matches ? fresh.filter(this.matches) : fresh;
    if (wanted.length > 0) this.delivery.events(wanted);
  }

  goLive(): void {
    const pending = this.pending;
    this.pending = [];
    this.live = true;
    this.deliver(pending);
  }
}
