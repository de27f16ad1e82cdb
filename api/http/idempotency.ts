import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { problems } from "./problem.js";

/** As long as the ledger remembers an idempotency key (core/ledger-write.ts). */
const TTL_SEC = 7 * 24 * 3600;

/**
 * The ledger makes a repeated Idempotency-Key return the first task; this
 * guard adds the HTTP rule that the same key with a different body is a
 * client error (409), by remembering a hash of the first body per key
 * (`<prefix>:api:idem:<sha256 of key>`, SET NX: of two racing bodies exactly
 * one is first).
 */
export class IdempotencyGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async check(key: string, body: unknown): Promise<void> {
    const redisKey = `${this.prefix}:api:idem:${sha256(key)}`;
    const fingerprint = sha256(canonical(body));
    const set = await this.redis.set(redisKey, fingerprint, "EX", TTL_SEC, "NX");
    if (set === "OK") return;
    const first = await this.redis.get(redisKey);
    if (first !== null && first !== fingerprint) {
      throw problems.conflict(`the Idempotency-Key "${key}" was used with a different body; use a new key for a different task`);
    }
  }
}

/** JSON with sorted keys: the same body written in another key order is the same body. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
