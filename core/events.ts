import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { eventFields } from "./ledger.js";
import { runScript } from "./ledger-run.js";
import type { SwarmEvent } from "./protocol.js";
import { redactShapes, type Redactor } from "./redact.js";

/** Entries the event stream keeps (approximately: trimmed with `~`). */
export const EVENT_STREAM_KEEPS = 100_000;

/**
 * How long a published event remembers its write id. A copy of the command that
 * comes later than this (a connection down for over an hour, with its reply
 * never received) is added again.
 */
export const EVENT_WRITE_TTL_SEC = 3600;

/**
 * KEYS: the stream, the write's own key. ARGV: keep (MAXLEN ~), ttl seconds, field/value pairs…
 * Adds the event unless this write already ran; either way returns the entry's id.
 *
 * ioredis sends a command again when its reply was lost with its connection
 * (autoResendUnfulfilledCommands, on by default, which the daemon keeps so that
 * no write is dropped): a plain XADD sent again is a second entry. The write id
 * is drawn once per publish, so the copy carries it and finds it done.
 */
const PUBLISH = `
local done = redis.call('GET', KEYS[2])
if done then return done end
local args = { 'XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*' }
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return id`;

type StreamEntry = [id: string, fields: string[]];

/**
 * The swarm's event stream (a Redis stream): written by every component, read
 * by logs, the TUI and waiters. What is published is redacted first (by
 * default the well-known secret shapes): workflow events carry params and
 * approval questions, breaker events carry failure messages. A publish sent
 * again after a lost reply adds nothing (PUBLISH above).
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
    const write = `${this.key}:write:${randomBytes(9).toString("base64url")}`;
    return (await runScript(
      this.redis,
      PUBLISH,
      2,
      this.key,
      write,
      String(EVENT_STREAM_KEEPS),
      String(EVENT_WRITE_TTL_SEC),
      ...eventFields(type, clean),
    )) as string;
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
