/**
 * The writer's consumer group on the swarm's event stream: entries are
 * delivered to it, stay pending until acknowledged (after they are in the
 * store), and are delivered again after a crash or an outage of the store.
 */
import type { Redis } from "ioredis";
import { HISTORY_GROUP, toEvent, type SwarmEvent } from "../../core/index.js";

export const GROUP = HISTORY_GROUP;

type RawEntry = [id: string, fields: string[] | null];

export interface Delivery {
  readonly events: SwarmEvent[];
  /** Ids to acknowledge, including entries trimmed from the stream since their delivery (nothing left to write). */
  readonly ids: string[];
}

export class StreamGroup {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly consumer: string,
  ) {}

  /** Creates the group (and the stream) unless it exists; a new group starts at the beginning of the stream. */
  async ensure(): Promise<void> {
    try {
      await this.redis.xgroup("CREATE", this.key, GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    }
  }

  /** Makes the group deliver the whole stream again (after the store was rebuilt). */
  async rewind(): Promise<void> {
    await this.ensure();
    await this.redis.xgroup("SETID", this.key, GROUP, "0");
  }

  /** This consumer's entries delivered but not acknowledged (after a failed write, or a restart). */
  async pending(count: number): Promise<Delivery> {
    return this.read(count, "0", null);
  }

  /** New entries, waiting up to `blockMs` (hold a dedicated connection: the read blocks it). */
  async next(blocking: Redis, count: number, blockMs: number): Promise<Delivery> {
    return this.read(count, ">", blockMs, blocking);
  }

  /** Takes over entries another consumer (a daemon that died) left pending for longer than `idleMs`. */
  async claimStale(idleMs: number, count = 500): Promise<number> {
    const reply = (await this.redis.xautoclaim(this.key, GROUP, this.consumer, idleMs, "0", "COUNT", count, "JUSTID")) as [string, string[]];
    return reply[1]?.length ?? 0;
  }

  async ack(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) await this.redis.xack(this.key, GROUP, ...ids.slice(i, i + 1000));
  }

  /** Entries of the group not yet acknowledged (all consumers). */
  async backlog(): Promise<number> {
    const reply = (await this.redis.xpending(this.key, GROUP)) as [number, ...unknown[]];
    return Number(reply[0] ?? 0);
  }

  private async read(count: number, from: string, blockMs: number | null, connection: Redis = this.redis): Promise<Delivery> {
    const args: (string | number)[] = ["GROUP", GROUP, this.consumer, "COUNT", count];
    if (blockMs !== null) args.push("BLOCK", blockMs);
    args.push("STREAMS", this.key, from);
    const reply = (await (connection.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args)) as [string, RawEntry[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    const events: SwarmEvent[] = [];
    for (const [id, fields] of entries) if (fields !== null) events.push(toEvent([id, fields]));
    return { events, ids: entries.map(([id]) => id) };
  }
}

/** Redis lost the group: the stream was deleted or flushed (`FLUSHALL`, a restore). */
export function isNoGroup(error: unknown): boolean {
  return String((error as Error | null)?.message ?? "").includes("NOGROUP");
}
