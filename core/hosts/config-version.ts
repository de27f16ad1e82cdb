import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";

/**
 * Which swarm.yaml a swarm runs (issue 16): every host loads its own copy of
 * the file, so a change made on one machine reaches the others only when they
 * restart with the new text. Each `up` records the digest of the text it
 * loaded under `<prefix>:config-version`; the version goes up by one each time
 * that digest changes, and every host's heartbeat carries the digest and
 * version it runs, so `status` and `doctor` can name a host on an older file.
 */
export interface ConfigVersion {
  /** configDigest of the text. */
  readonly digest: string;
  /** 1 for the first text recorded under this prefix, +1 at each change. */
  readonly version: number;
  /** The host (or "local" for a one-host swarm) whose `up` recorded it, and when (ISO 8601). */
  readonly host: string;
  readonly at: string;
}

/** What `up` learns when it records its config: the version it runs now, and the one before when the text changed. */
export interface RecordedConfig {
  readonly current: ConfigVersion;
  /** The version recorded before this `up`, when its digest differs (the file changed since); null otherwise. */
  readonly replaced: ConfigVersion | null;
}

/** Compare, bump and record in one step: two hosts starting at once still number their texts 1, 2, … without a gap or a repeat. */
const RECORD_CONFIG = `
local old = redis.call('HMGET', KEYS[1], 'digest', 'version', 'host', 'at')
local version = tonumber(old[2]) or 0
if old[1] == ARGV[1] then return {old[1], tostring(version), old[3] or '', old[4] or '', '', '', '', ''} end
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'version', tostring(version + 1), 'host', ARGV[2], 'at', ARGV[3])
return {ARGV[1], tostring(version + 1), ARGV[2], ARGV[3], old[1] or '', tostring(version), old[3] or '', old[4] or ''}
`;

export async function recordConfigVersion(redis: Redis, keys: Keys, digest: string, host: string, at = new Date()): Promise<RecordedConfig> {
  const reply = (await redis.eval(RECORD_CONFIG, 1, keys.configVersion, digest, host, at.toISOString())) as string[];
  const [digestNow, versionNow, hostNow, atNow, digestBefore, versionBefore, hostBefore, atBefore] = reply.map(String);
  const current = { digest: digestNow!, version: Number(versionNow), host: hostNow!, at: atNow! };
  const replaced = digestBefore ? { digest: digestBefore, version: Number(versionBefore), host: hostBefore!, at: atBefore! } : null;
  return { current, replaced };
}

/** The version last recorded; null before any `up` recorded one (or when the hash is not one our daemons write). */
export async function readConfigVersion(redis: Redis, keys: Keys): Promise<ConfigVersion | null> {
  const hash = await redis.hgetall(keys.configVersion);
  const version = Number(hash.version);
  if (!hash.digest || !Number.isInteger(version) || version < 1) return null;
  return { digest: hash.digest, version, host: hash.host ?? "?", at: hash.at ?? "?" };
}

/**
 * How a host's config compares with the one last recorded: `current`, `differs` (the host runs another text:
 * usually an older one, or the last `up` elsewhere loaded an older copy), or `unknown` (nothing to compare).
 */
export function configStanding(runs: { readonly configDigest?: string } | null, recorded: ConfigVersion | null): ConfigStanding {
  if (!runs?.configDigest || recorded === null) return "unknown";
  return runs.configDigest === recorded.digest ? "current" : "differs";
}

export type ConfigStanding = "current" | "differs" | "unknown";
