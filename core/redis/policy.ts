import type { Redis } from "ioredis";
import { EnvironmentError } from "../errors.js";

function whereIs(redis: Redis): string {
  const { path, host, port } = redis.options;
  return path ?? `${host ?? "localhost"}:${port ?? 6379}`;
}

/**
 * BullMQ keeps queued jobs as ordinary keys: any eviction policy but noeviction can silently drop tasks.
 * Throws EnvironmentError when the server evicts; returns a warning when it cannot tell (CONFIG disabled
 * or not allowed by an ACL, as on many managed servers), null when all is well.
 */
export async function checkEvictionPolicy(redis: Redis, where: string = whereIs(redis)): Promise<string | null> {
  let reply: unknown;
  try {
    reply = await redis.config("GET", "maxmemory-policy");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `cannot read maxmemory-policy of Redis at ${where} (${reason}); make sure it is noeviction or queued tasks could be lost`;
  }
  const policy = Array.isArray(reply) ? reply[1] : undefined;
  if (typeof policy !== "string") {
    return `Redis at ${where} did not report its maxmemory-policy; make sure it is noeviction`;
  }
  if (policy !== "noeviction") {
    throw new EnvironmentError(`Redis at ${where} evicts keys (maxmemory-policy is ${policy}); queued tasks could be lost`, {
      hint: "Set maxmemory-policy noeviction on that server (CONFIG SET maxmemory-policy noeviction), or unset REDIS_URL to use the embedded Redis.",
      context: { redis: where, policy },
    });
  }
  return null;
}
