/**
 * A swarm's Redis state as one consistent snapshot: every key under its
 * prefix (ledger, events stream with its consumer groups, BullMQ queues,
 * workflows, sessions) DUMPed inside one Lua script, so no command of the
 * swarm runs between two keys; with the stream's newest id at that moment.
 * Written as length-prefixed records; restored with RESTORE … REPLACE.
 */
import type { Redis } from "ioredis";

export interface RedisRecord {
  readonly key: Buffer;
  /** Milliseconds left to live; -1: none. */
  readonly pttl: number;
  readonly dump: Buffer;
}

const SNAPSHOT = `
local out = {}
local last = redis.call("XREVRANGE", KEYS[1], "+", "-", "COUNT", 1)
table.insert(out, (last[1] and last[1][1]) or "0-0")
local cursor = "0"
repeat
  local page = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    local dump = redis.call("DUMP", key)
    if dump then
      table.insert(out, key)
      table.insert(out, tostring(redis.call("PTTL", key)))
      table.insert(out, dump)
    end
  end
until cursor == "0"
return out`;

/** `prefix:*` as a SCAN pattern, the prefix's own glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}:*`;
}

export async function snapshotRedis(redis: Redis, prefix: string, eventsKey: string): Promise<{ lastEventId: string; records: RedisRecord[] }> {
  const reply = (await redis.callBuffer("EVAL", SNAPSHOT, 1, eventsKey, prefixPattern(prefix))) as Buffer[];
  const records: RedisRecord[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) {
    records.push({ key: reply[i]!, pttl: Number(reply[i + 1]!.toString()), dump: reply[i + 2]! });
  }
  return { lastEventId: reply[0]!.toString(), records };
}

export function encodeRecords(records: readonly RedisRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const head = Buffer.alloc(16);
    head.writeUInt32BE(record.key.length, 0);
    head.writeBigInt64BE(BigInt(record.pttl), 4);
    head.writeUInt32BE(record.dump.length, 12);
    parts.push(head, record.key, record.dump);
  }
  return Buffer.concat(parts);
}

export function decodeRecords(data: Buffer): RedisRecord[] {
  const records: RedisRecord[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 16 > data.length) throw new Error("the Redis snapshot is truncated");
    const keyLength = data.readUInt32BE(at);
    const pttl = Number(data.readBigInt64BE(at + 4));
    const dumpLength = data.readUInt32BE(at + 12);
    at += 16;
    if (at + keyLength + dumpLength > data.length) throw new Error("the Redis snapshot is truncated");
    records.push({ key: data.subarray(at, at + keyLength), pttl, dump: data.subarray(at + keyLength, at + keyLength + dumpLength) });
    at += keyLength + dumpLength;
  }
  return records;
}

/**
 * Replaces every key under `prefix` with the snapshot's records, whose keys were taken under `from`
 * (the backed-up swarm's prefix) and are renamed to `prefix`. Values are restored as dumped: BullMQ and
 * the ledger keep job and task ids in them, never whole key names (BullMQ's flows do; the swarm uses none).
 */
export async function restoreRedis(redis: Redis, prefix: string, records: readonly RedisRecord[], from: string = prefix): Promise<void> {
  const pattern = prefixPattern(prefix);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
  for (let i = 0; i < records.length; i += 500) {
    const batch = redis.multi();
    for (const record of records.slice(i, i + 500)) {
      const key = record.key.toString();
      if (!key.startsWith(`${from}:`)) throw new Error(`the snapshot holds a key outside the swarm's prefix: ${JSON.stringify(key.slice(0, 80))}`);
      batch.restore(from === prefix ? record.key : `${prefix}:${key.slice(from.length + 1)}`, Math.max(record.pttl, 0), record.dump, "REPLACE");
    }
    const results = await batch.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }
}
