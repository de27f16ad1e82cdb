import type { Redis } from "ioredis";
import { InfraError } from "../errors.js";
import type { Keys } from "../keys.js";
import { parseJsonObject } from "../json-object.js";

/**
 * The leader lease of a swarm with `hosts:` (issue 16): which host's daemon
 * runs the control loop (sweeper, workflow driving, history writer,
 * notifications). One string at `<prefix>:leader` with a short TTL, taken with
 * a fencing token from the counter `<prefix>:leader-token` (INCR: every term
 * has a larger token than the one before). The holder renews it by compare and
 * renew; writes that must come from the leader only check the token in their
 * own Lua script (FENCE_LUA), so a leader that froze past its lease and woke up
 * cannot write, whatever it still believes.
 */
export interface LeaderRecord {
  /** The term's fencing token (decimal digits). */
  readonly token: string;
  /** The host's name in swarm.yaml's `hosts:`. */
  readonly host: string;
  /** The candidate's id: one per daemon process, so a restarted daemon starts a new term. */
  readonly id: string;
  readonly pid: number;
  /** When the term began, in ms since the epoch by Redis' clock. */
  readonly since: number;
}

/** The lease lives this long without a renewal; the leader renews it every LEADER_RENEW_MS. */
export const LEADER_LEASE_MS = 3_000;
export const LEADER_RENEW_MS = 1_000;
/** How often a host that does not lead tries to take the lease: a dead leader's is taken at most this long after it expires. */
export const LEADER_POLL_MS = 250;

/**
 * A Lua function for scripts that fence their writes: true when `token` is the
 * current lease's. An expired lease holds for nobody.
 */
export const FENCE_LUA = `
local function fenceHolds(key, token)
  local current = redis.call('GET', key)
  if not current then return false end
  local ok, value = pcall(cjson.decode, current)
  return ok and type(value) == 'table' and value.token == token
end`;

// Free, or held by this very candidate (a term it gave up locally): a new term with a new token.
// Redis' clock dates the term, so every host reads the same `since`.
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, value = pcall(cjson.decode, current)
  if not (ok and type(value) == 'table' and value.id == ARGV[1]) then return {0, current} end
end
local token = redis.call('INCR', KEYS[2])
local t = redis.call('TIME')
local since = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local record = cjson.encode({token = tostring(token), host = ARGV[2], id = ARGV[1], pid = tonumber(ARGV[3]), since = since})
redis.call('SET', KEYS[1], record, 'PX', ARGV[4])
return {1, record}`;

const RENEW = `${FENCE_LUA}
local current = redis.call('GET', KEYS[1])
if not current then return {-1} end
if fenceHolds(KEYS[1], ARGV[2]) then
  local value = cjson.decode(current)
  if value.id == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return {1}
  end
end
return {0, current}`;

const RELEASE = `${FENCE_LUA}
if fenceHolds(KEYS[1], ARGV[1]) then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

/** What an attempt to take the lease found: a new term of ours, or someone else's. */
export type AcquireResult = { readonly won: true; readonly record: LeaderRecord } | { readonly won: false; readonly holder: LeaderRecord | null };

/** What a renewal found: still ours, gone (expired), or another term. */
export type RenewResult = { readonly kind: "renewed" } | { readonly kind: "expired" } | { readonly kind: "taken"; readonly holder: LeaderRecord | null };

export interface Candidate {
  readonly id: string;
  readonly host: string;
}

export async function acquireLeader(redis: Redis, keys: Keys, candidate: Candidate, leaseMs = LEADER_LEASE_MS): Promise<AcquireResult> {
  const [won, raw] = (await redis.eval(ACQUIRE, 2, keys.leader, keys.leaderToken, candidate.id, candidate.host, String(process.pid), String(leaseMs))) as [
    number,
    string,
  ];
  const record = parseLeaderRecord(raw);
  if (won === 1 && record !== null) return { won: true, record };
  return { won: false, holder: record };
}

export async function renewLeader(redis: Redis, keys: Keys, id: string, token: string, leaseMs = LEADER_LEASE_MS): Promise<RenewResult> {
  const [code, raw] = (await redis.eval(RENEW, 1, keys.leader, id, token, String(leaseMs))) as [number, string?];
  if (code === 1) return { kind: "renewed" };
  if (code === -1) return { kind: "expired" };
  return { kind: "taken", holder: parseLeaderRecord(raw ?? null) };
}

/** Gives the lease up if `token` still holds it (a clean stop: another host takes over at its next try). */
export async function releaseLeader(redis: Redis, keys: Keys, token: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, keys.leader, token)) === 1;
}

/** The current term, or null when no host leads (never elected, or the lease expired). */
export async function readLeader(redis: Redis, keys: Keys): Promise<LeaderRecord | null> {
  return parseLeaderRecord(await redis.get(keys.leader));
}

/** A lease value as our scripts write it; anything else (anyone with Redis access can write there) is null. */
export function parseLeaderRecord(raw: string | null): LeaderRecord | null {
  if (raw === null) return null;
  const value = parseJsonObject(raw);
  if (value === null) return null;
  const { token, host, id, pid, since } = value;
  if (typeof token !== "string" || !/^[1-9][0-9]*$/.test(token)) return null;
  if (typeof host !== "string" || typeof id !== "string" || typeof since !== "number") return null;
  return { token, host, id, pid: typeof pid === "number" ? pid : 0, since };
}

/**
 * A write refused because the writer's fencing token is no longer the lease's: this
 * daemon's term ended (it froze, or lost Redis, past its lease) and another may lead.
 * A control-flow signal for the one who wrote: step down, never retry.
 */
export class FencedError extends InfraError {
  constructor(what: string, token: string) {
    super(`refused ${what}: this host no longer leads the swarm (its fencing token ${token} is not the leader lease's)`, {
      hint: "Another host took over the control loop; `claude-agent status` shows which one leads.",
      context: { token },
    });
  }
}
