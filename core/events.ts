import type { Redis } from "ioredis";
import { eventFields } from "./ledger.js";
import type { SwarmEvent } from "./protocol.js";
import { redactShapes, type Redactor } from "./redact.js";

/** Entries the event stream keeps (approximately: trimmed with `~`). */
export const EVENT_STREAM_KEEPS = 100_000;

type StreamEntry = [id: string, fields: string[]];

/**
 * The swarm's event stream (a Redis stream): written by every component, read
 * by logs, the TUI and waiters. What is published is redacted first (by
 * default the well-known secret shapes): workflow events carry params and
 * approval questions, breaker events carry failure messages.
 */
export class EventStream {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly redact: Redactor = redactShapes,
  ) {}

  async publish(type: string, data: Record<string, string | undefined> = {}): Promise<string> {
    const clean: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(data)) clean[name] = value === undefined ? value : this.redact(value);
    return (await this.redis.xadd(this.key, "MAXLEN", "~", String(EVENT_STREAM_KEEPS), "*", ...eventFields(type, clean))) as string;
  }

  /** The id of the newest entry, or "0-0" for an empty stream: read after it to see only what comes next. */
  async lastId(): Promise<string> {
    const entries = (await this.redis.xrevrange(this.key, "+", "-", "COUNT", 1)) as StreamEntry[];
    return entries[0]?.[0] ?? "0-0";
  }

  async recent(count: number): Promise<SwarmEvent[]> {
    const entries = (await this.redis.xrevrange(this.key, "+", "-", "COUNT", count)) as StreamEntry[];
    return entries.reverse().map(toEvent);
  }

  /** Up to `count` entries after `afterId`, oldest first, without blocking (a shared connection may do this). */
  async after(afterId: string, count = 500): Promise<SwarmEvent[]> {
    const entries = (await this.redis.xrange(this.key, `(${afterId}`, "+", "COUNT", count)) as StreamEntry[];
    return entries.map(toEvent);
  }

  /**
   * Reads entries after `afterId`, blocking up to `blockMs` for new ones.
   * Use a dedicated connection: a blocking read holds it.
   */
  async read(afterId: string, blockMs: number, count = 500): Promise<SwarmEvent[]> {
    const reply = (await this.redis.xread("COUNT", count, "BLOCK", blockMs, "STREAMS", this.key, afterId)) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1].map(toEvent) ?? [];
  }
}

export function toEvent([id, fields]: StreamEntry): SwarmEvent {
  const event: Record<string, string> = { id };
  for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
  return event as unknown as SwarmEvent;
}
