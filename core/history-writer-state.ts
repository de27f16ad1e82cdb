/**
 * How the daemon's history writer is doing, as Redis knows it: the state its
 * outage report keeps (`<prefix>:history`: ok, or degraded since when and
 * why), and its consumer group on the event stream: how many events it has
 * not read yet, how many it read but has not written, and how long ago it
 * last asked for more. Read by `status`, `doctor` and the API's health.
 */
import type { Redis } from "ioredis";
import { EVENT_STREAM_KEEPS } from "./events.js";
import type { Keys } from "./keys.js";

/** The writer's consumer group (history/writer/stream-group.ts). */
export const HISTORY_GROUP = "history";
/** Behind by more than this, doctor fails: the stream's trimming (EVENT_STREAM_KEEPS) is near and would lose events. */
export const HISTORY_BEHIND_LIMIT = EVENT_STREAM_KEEPS / 2;

export interface HistoryWriterState {
  /** `off`: no writer ever read this stream (CLAUDE_AGENT_HISTORY=off, or no daemon ran yet). */
  readonly state: "ok" | "degraded" | "off";
  /** Since when degraded (ISO), or null. */
  readonly since: string | null;
  /** Why degraded: the store's error. */
  readonly error: string | null;
  /** Events on the stream the writer has not read yet; null when Redis cannot count them (entries deleted mid-stream). */
  readonly behind: number | null;
  /** Events read but not yet in the store (they are read again after a failed write or a crash). */
  readonly pending: number;
  /** Milliseconds since a writer last read the stream (its reads block for a few seconds at a time); null without one. */
  readonly lastReadMs: number | null;
}

/** XINFO's flat [name, value, …] reply as an object. */
function fields(reply: unknown): Record<string, unknown> {
  const list = Array.isArray(reply) ? reply : [];
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}

const count = (value: unknown): number | null => (typeof value === "number" ? value : value === null || value === undefined ? null : Number(value));

export async function readHistoryWriterState(redis: Redis, keys: Pick<Keys, "events" | "historyWriter">): Promise<HistoryWriterState> {
  const [groups, stored] = await Promise.all([
    (redis.call("XINFO", "GROUPS", keys.events) as Promise<unknown[]>).catch((error: Error) => {
      if (/no such key/i.test(error.message)) return []; // no event yet: no stream
      throw error;
    }),
    redis.hgetall(keys.historyWriter),
  ]);
  const group = groups.map(fields).find((g) => g.name === HISTORY_GROUP);
  if (!group) return { state: "off", since: null, error: null, behind: null, pending: 0, lastReadMs: null };
  let lastReadMs: number | null = null;
  if ((count(group.consumers) ?? 0) > 0) {
    const consumers = ((await redis.call("XINFO", "CONSUMERS", keys.events, HISTORY_GROUP)) as unknown[]).map(fields);
    // Redis 7.2 counts `inactive` from the last read attempt; 7.0 has only `idle` (the same, for a blocking reader).
    const idles = consumers.map((c) => count(c.inactive ?? c.idle)).filter((n): n is number => n !== null && n >= 0);
    if (idles.length > 0) lastReadMs = Math.min(...idles);
  }
  const degraded = stored.state === "degraded";
  return {
    state: degraded ? "degraded" : "ok",
    since: degraded ? (stored.since ?? null) : null,
    error: degraded ? stored.error || null : null,
    behind: count(group.lag),
    pending: count(group.pending) ?? 0,
    lastReadMs,
  };
}

/** One line for people: `ok: 0 events behind, 0 pending (read 2 s ago)`. */
export function describeHistoryWriter(writer: HistoryWriterState): string {
  if (writer.state === "off") return "off: no writer reads the event stream (CLAUDE_AGENT_HISTORY=off, or the daemon has not started one)";
  const behind = writer.behind === null ? "an unknown number of events behind" : `${writer.behind} event(s) behind`;
  const read = writer.lastReadMs === null ? "no writer reading now" : `last read ${Math.round(writer.lastReadMs / 1000)} s ago`;
  const backlog = `${behind}, ${writer.pending} read but not yet written; ${read}`;
  return writer.state === "degraded" ? `DEGRADED since ${writer.since}: ${writer.error}; ${backlog}` : `ok: ${backlog}`;
}
