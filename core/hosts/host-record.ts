import type { Redis } from "ioredis";
import { HOST_NAME, parseApiUrl } from "../config/index.js";
import type { Keys } from "../keys.js";
import { parseJsonObject } from "../json-object.js";

/**
 * What each host's daemon writes under the swarm's prefix (`<prefix>:hosts`,
 * field = host name, value = this as JSON), every HOST_BEAT_MS: who runs it,
 * which claude-agent, since when, and the sessions it brings up. `status` on
 * any home reads them all; a record whose beat is older than its lease is a
 * host that went silent (died, frozen, or cut off from Redis).
 */
export interface HostRecord {
  readonly host: string;
  /** claude-agent's version on that host. */
  readonly version: string;
  readonly pid: number;
  /** The machine's own hostname (os.hostname()), which may differ from the swarm's name for it. */
  readonly machine: string;
  readonly home: string;
  /** Its home's tmux socket, which `attach` from another host reaches over ssh (remote-attach.ts); absent from older daemons. */
  readonly tmuxSocket?: string;
  /**
   * Where the other hosts' daemons reach its API (an http or https origin: `hosts.NAME.api_url`, or what its
   * `api.listen` bound); the web terminal relays there. Absent: no API, a wildcard bind without `api_url`, or an older daemon.
   */
  readonly api?: string;
  readonly startedAt: string;
  readonly beatAt: string;
  /** How long a beat counts: past it the host is silent (the same lease that holds its name). */
  readonly leaseMs: number;
  readonly sessions: readonly string[];
  /** The swarm.yaml it runs: its text's digest and the version `up` recorded for it (config-version.ts); absent from older daemons. */
  readonly configDigest?: string;
  readonly configVersion?: number;
  /** Set when its daemon stopped cleanly (`down`, Ctrl-C): the host is down, not silent. */
  readonly stoppedAt?: string;
}

export const HOST_BEAT_MS = 5_000;

export type HostLiveness = "up" | "silent" | "stopped";

export function hostLiveness(record: HostRecord, now = Date.now()): HostLiveness {
  if (record.stoppedAt) return "stopped";
  return now - Date.parse(record.beatAt) <= record.leaseMs ? "up" : "silent";
}

/** Every host's heartbeat record, read from the swarm's Redis (parseHostRecords). */
export async function readHostRecords(redis: Redis, keys: Keys): Promise<HostRecord[]> {
  return parseHostRecords(await redis.hgetall(keys.hosts));
}

/** The records of a `<prefix>:hosts` hash; a field that is not one our daemons write is skipped (anyone with Redis access can write there). */
export function parseHostRecords(hash: Readonly<Record<string, string>>): HostRecord[] {
  const records: HostRecord[] = [];
  for (const [field, raw] of Object.entries(hash)) {
    const record = parseOne(raw);
    if (record && record.host === field) records.push(record);
  }
  return records.sort((a, b) => a.host.localeCompare(b.host));
}

function parseOne(raw: string): HostRecord | null {
  const value = parseJsonObject(raw);
  if (value === null) return null;
  const { host, version, pid, machine, home, tmuxSocket, api, startedAt, beatAt, leaseMs, sessions, stoppedAt, configDigest, configVersion } = value;
  if (typeof host !== "string" || !HOST_NAME.test(host)) return null;
  if (typeof beatAt !== "string" || !Number.isFinite(Date.parse(beatAt))) return null;
  if (typeof leaseMs !== "number" || !(leaseMs > 0)) return null;
  // Anything but a plain http(s) origin is dropped: the host is then as one that publishes no URL.
  const apiUrl = parseApiUrl(api);
  return {
    host,
    version: typeof version === "string" ? version : "?",
    pid: typeof pid === "number" ? pid : 0,
    machine: typeof machine === "string" ? machine : "?",
    home: typeof home === "string" ? home : "?",
    ...(typeof tmuxSocket === "string" && tmuxSocket !== "" ? { tmuxSocket } : {}),
    ...(apiUrl !== null ? { api: apiUrl } : {}),
    startedAt: typeof startedAt === "string" ? startedAt : beatAt,
    beatAt,
    leaseMs,
    sessions: Array.isArray(sessions) ? sessions.filter((s): s is string => typeof s === "string") : [],
    ...(typeof stoppedAt === "string" && stoppedAt !== "" ? { stoppedAt } : {}),
    ...(typeof configDigest === "string" && configDigest !== "" ? { configDigest } : {}),
    ...(typeof configVersion === "number" && Number.isInteger(configVersion) ? { configVersion } : {}),
  };
}
