/**
 * One reader of the swarm's event stream for the whole API: a blocking XREAD
 * on its own connection, fanned out to every SSE and WebSocket subscriber and
 * to the metrics. A subscriber that resumes from an id catches up with XRANGE
 * while the live events that arrive meanwhile wait in its buffer; ids decide
 * what is new, so the hand-over from catch-up to live has no gap and no
 * duplicate.
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

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners = new Set<(events: readonly SwarmEvent[]) => void>();
  private cursor = "0-0";
  private loop: Promise<void> | null = null;
  private closed = false;

  /** `blocking` is the hub's own connection (a blocking read holds it); `redis` serves catch-up reads. */
  constructor(
    private readonly blocking: Redis,
    private readonly redis: Redis,
    private readonly key: string,
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
    const subscriber = new Subscriber(eventPredicate(filter), after ?? this.cursor, delivery);
    this.subscribers.add(subscriber);
    if (after !== undefined) void this.catchUp(subscriber, after);
    else subscriber.live = true;
    return { close: () => this.subscribers.delete(subscriber) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    this.blocking.disconnect();
    await this.loop?.catch(() => undefined);
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
    }
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

class Subscriber {
  live = false;
  private pending: SwarmEvent[] = [];

  constructor(
    private readonly matches: (event: SwarmEvent) => boolean,
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

  /** Hands on the events newer than what this subscriber has seen, filtered. */
  deliver(events: readonly SwarmEvent[]): void {
    const fresh = events.filter((e) => isAfter(e.id, this.cursor));
    if (fresh.length === 0) return;
    this.cursor = fresh.at(-1)!.id;
    const wanted = fresh.filter(this.matches);
    if (wanted.length > 0) this.delivery.events(wanted);
  }

  goLive(): void {
    const pending = this.pending;
    this.pending = [];
    this.live = true;
    this.deliver(pending);
  }
}
