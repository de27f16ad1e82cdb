import { createHash } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";

/**
 * Running the ledger's Lua scripts: by SHA (the script text is sent once per
 * Redis server), falling back to the text when the server does not know it
 * (NOSCRIPT: a restarted or flushed Redis).
 */
export async function runScript(redis: Redis, lua: string, numKeys: number, ...args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha1(lua), numKeys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(lua, numKeys, ...args);
  }
}

/** Commands a caller adds to a script's transaction, applied with it or not at all (a freed session's published state). */
export type AlsoInTransaction = (multi: ChainableCommander) => void;

/**
 * `runScript` in one MULTI/EXEC with the HGETALL of `readBack` (the hash exactly as the script left it, beside the
 * script's reply) and whatever `also` adds after it.
 */
export async function runScriptInTransaction(
  redis: Redis,
  lua: string,
  numKeys: number,
  args: readonly string[],
  readBack: string | null,
  also?: AlsoInTransaction,
): Promise<{ reply: unknown; hash: Record<string, string> | null }> {
  const run = async (bySha: boolean): Promise<[Error | null, unknown, Record<string, string> | null]> => {
    const multi = redis.multi();
    if (bySha) multi.evalsha(sha1(lua), numKeys, ...args);
    else multi.eval(lua, numKeys, ...args);
    if (readBack !== null) multi.hgetall(readBack);
    also?.(multi);
    const replies = (await multi.exec()) ?? [];
    const [error, reply] = (replies[0] ?? [new Error("transaction aborted"), null]) as [Error | null, unknown];
    return [error, reply, readBack === null ? null : ((replies[1]?.[1] as Record<string, string> | undefined) ?? null)];
  };
  // A server that does not know the script (restarted, flushed) runs the whole transaction again with its text:
  // what `also` adds must be safe to apply twice.
  let [error, reply, hash] = await run(true);
  if (error?.message.startsWith("NOSCRIPT")) [error, reply, hash] = await run(false);
  if (error) throw error;
  return { reply, hash };
}

const shas = new Map<string, string>();

function sha1(text: string): string {
  let sha = shas.get(text);
  if (!sha) shas.set(text, (sha = createHash("sha1").update(text).digest("hex")));
  return sha;
}
