import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { UsageError } from "../errors.js";
import type { Keys } from "../keys.js";
import { hostLiveness, readHostRecords } from "../hosts/index.js";

/**
 * Which home's daemon owns a key prefix. Two swarms sharing one Redis under
 * one prefix would take each other's config and run each other's tasks, so
 * the daemon holds a lease on `<prefix>:owner`: claimed at start, renewed
 * with every heartbeat (5 s), released at close, expiring LEASE_MS after a
 * daemon that died. A daemon of another home finds it held and refuses.
 */
export const OWNER_LEASE_MS = 30_000;
/** A heartbeat older than this is a daemon that is gone (it beats every 5 s). */
const HEARTBEAT_STALE_MS = 15_000;

export interface PrefixOwner {
  /** The home's secret id (its marker): the identity compared. */
  readonly id: string;
  readonly home: string;
  readonly host: string;
  readonly pid: number;
}

export function ownerOf(id: string, home: string): PrefixOwner {
  return { id, home, host: hostname(), pid: process.pid };
}

// Takes the lease when free or already ours; otherwise returns the holder's value untouched.
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, value = pcall(cjson.decode, current)
  if not (ok and type(value) == 'table' and value.id == ARGV[1]) then return current end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return false
`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, value = pcall(cjson.decode, current)
  if ok and type(value) == 'table' and value.id == ARGV[1] then redis.call('DEL', KEYS[1]) end
end
return 0
`;

/**
 * The lease's holder when it is not `owner` (null: `owner` now holds it). `key`: the prefix's lease
 * (`<prefix>:owner`), or in a swarm with `hosts:` one host's (`<prefix>:owner:<host>`).
 */
export async function claimPrefix(redis: Redis, keys: Keys, owner: PrefixOwner, key = keys.owner): Promise<PrefixOwner | null> {
  const held = (await redis.eval(CLAIM, 1, key, owner.id, JSON.stringify(owner), String(OWNER_LEASE_MS))) as string | null;
  return held === null ? null : parseOwner(held);
}

function parseOwner(held: string): PrefixOwner {
  try {
    const value = JSON.parse(held) as Partial<PrefixOwner>;
    return { id: String(value.id ?? ""), home: String(value.home ?? "?"), host: String(value.host ?? "?"), pid: Number(value.pid ?? 0) };
  } catch {
    return { id: "", home: "?", host: "?", pid: 0 };
  }
}

export async function releasePrefix(redis: Redis, keys: Keys, owner: PrefixOwner, key = keys.owner): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner.id);
}

/**
 * Claims the prefix for a starting daemon, or throws UsageError naming the swarm that has it. A daemon of an
 * older claude-agent keeps no lease but beats in `<prefix>:daemon`: a fresh beat without our id also refuses.
 */
export async function takePrefix(redis: Redis, keys: Keys, owner: PrefixOwner, where: string): Promise<void> {
  const beat = await redis.hgetall(keys.daemonHeartbeat);
  const beatAge = beat.heartbeatAt ? Date.now() - Date.parse(beat.heartbeatAt) : Infinity;
  if (beatAge < HEARTBEAT_STALE_MS && beat.owner !== owner.id && !(await redis.exists(keys.owner))) {
    throw taken(keys.prefix, where, `a swarm of an older claude-agent (pid ${beat.pid ?? "?"}, last heartbeat ${Math.round(beatAge / 1000)} s ago)`);
  }
  const live = (await readHostRecords(redis, keys)).find((record) => hostLiveness(record) === "up");
  if (live) throw taken(keys.prefix, where, `a swarm spanning hosts, whose host ${live.host} runs in home ${live.home} on ${live.machine} (pid ${live.pid})`);
  const holder = await claimPrefix(redis, keys, owner);
  if (holder) throw taken(keys.prefix, where, `the swarm of home ${holder.home} on host ${holder.host} (pid ${holder.pid})`);
}

/**
 * In a swarm with `hosts:`, the daemons of all its hosts share the prefix; each holds the lease of its
 * own host name instead (`<prefix>:owner:<host>`), so two daemons claiming one host are refused, and so
 * is a host daemon on a prefix that a swarm without `hosts:` holds (it would run that swarm's tasks).
 */
export async function takeHost(redis: Redis, keys: Keys, owner: PrefixOwner, host: string, where: string): Promise<void> {
  const single = await redis.get(keys.owner);
  if (single !== null) {
    const holder = parseOwner(single);
    throw taken(keys.prefix, where, `the swarm of home ${holder.home} on host ${holder.host} (pid ${holder.pid}), which declares no hosts`);
  }
  const holder = await claimPrefix(redis, keys, owner, keys.hostOwner(host));
  if (holder) {
    throw new UsageError(
      `host "${host}" of the swarm "${keys.prefix}" at ${where} is already up: home ${holder.home} on machine ${holder.host} (pid ${holder.pid})`,
      {
        hint: `Each machine starts its daemon with a name of its own from swarm.yaml's \`hosts:\` (\`claude-agent up --host NAME\`); stop the other one first (\`claude-agent down\` in its home). A host whose daemon died is free again within ${OWNER_LEASE_MS / 1000} s.`,
        context: { prefix: keys.prefix, host },
      },
    );
  }
}

function taken(prefix: string, where: string, who: string): UsageError {
  return new UsageError(`the Redis key prefix "${prefix}" at ${where} belongs to another live swarm: ${who}`, {
    hint: "Give each swarm that shares a Redis a name of its own: `swarm: NAME` in its swarm.yaml. A swarm that died frees its prefix within 30 s.",
    context: { prefix },
  });
}
