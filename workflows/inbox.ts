import type { Redis } from "ioredis";

/**
 * How clients tell the daemon "look at execution X" (a new one to run, an
 * approval, a cancel): its id pushed on a Redis list the daemon BLPOPs. The list
 * only wakes the daemon up; the execution itself, already written to the store,
 * is the request. So nothing is lost while the daemon is down: ids wait in the
 * list, and the daemon also resumes every running execution when it starts.
 */
export function inboxKey(prefix: string): string {
  return `${prefix}:wf-inbox`;
}

/** Entries beyond this are dropped (oldest first): they are wake-ups, and the start-up scan covers the rest. */
const MAX_ENTRIES = 10_000;

export async function notifyDaemon(redis: Redis, prefix: string, executionId: string): Promise<void> {
  const key = inboxKey(prefix);
  await redis.multi().rpush(key, executionId).ltrim(key, -MAX_ENTRIES, -1).exec();
}

/** The next id, waiting up to `timeoutSec`; null on timeout. Use a dedicated connection: BLPOP holds it. */
export async function nextNotification(blocking: Redis, prefix: string, timeoutSec: number): Promise<string | null> {
  const reply = await blocking.blpop(inboxKey(prefix), timeoutSec);
  return reply?.[1] ?? null;
}
