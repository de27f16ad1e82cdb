import { isAbsolute } from "node:path";
import type { Redis } from "ioredis";
import {
  configStanding,
  homePaths,
  hostLiveness,
  readHostRecords,
  placements,
  readConfigVersion,
  readLeader,
  type ConfigStanding,
  type HostLiveness,
  type Keys,
  type SwarmConfig,
} from "../core/index.js";

/** One host of a swarm with `hosts:`, as `status` shows it. */
export interface HostStatus {
  readonly name: string;
  readonly labels: readonly string[];
  readonly ssh: string | null;
  /** `up`: beating; `silent`: its last beat is older than its lease (died, frozen, cut off); `stopped`: stopped cleanly; `never`: no daemon has run as it. */
  readonly state: HostLiveness | "never";
  /** claude-agent's version on it (null: never started). */
  readonly version: string | null;
  readonly pid: number | null;
  /** The machine's own hostname. */
  readonly machine: string | null;
  readonly home: string | null;
  /** Its home's tmux socket, where `attach` from another host reaches its sessions over ssh (older daemons: the one of its home). */
  readonly tmuxSocket: string | null;
  readonly startedAt: string | null;
  readonly heartbeatAt: string | null;
  /** How old its last beat was when read, in ms (null: never). */
  readonly heartbeatAgeMs: number | null;
  readonly leaseMs: number | null;
  /**
   * Where the other hosts' daemons reach its API, as its daemon published it (`hosts.NAME.api_url`, or what its
   * `api.listen` bound); the web terminal relays there. Null: none published (no API, a wildcard bind without
   * `api_url`, never started), and a host it is not reachable at falls back to ssh.
   */
  readonly api: string | null;
  /** The sessions placed on it by swarm.yaml. */
  readonly sessions: readonly string[];
  /** Whether it holds the leader lease: its daemon runs the control loop (sweeper, workflows, history, notifications). */
  readonly leader: boolean;
  /**
   * The swarm.yaml its daemon loaded (digest and version, core/hosts/config-version.ts) and how it stands
   * against the one the last `up` recorded: `differs` names a host still on another text. Null: its
   * daemon never said (never started, or a version before config versions).
   */
  readonly config: { readonly version: number | null; readonly digest: string; readonly standing: ConfigStanding } | null;
}

/** The leader lease of a swarm with `hosts:`, as `status` and /health show it; null when no host leads. */
export interface LeaderStatus {
  readonly host: string;
  /** The fencing token of its term: larger with every new term. */
  readonly token: number;
  /** When its term began (ISO 8601, by Redis' clock). */
  readonly since: string;
}

/** Who leads a swarm with `hosts:` now (core/redis/leader.ts). */
export async function readLeaderStatus(redis: Redis, keys: Keys): Promise<LeaderStatus | null> {
  const record = await readLeader(redis, keys);
  return record === null ? null : { host: record.host, token: Number(record.token), since: new Date(record.since).toISOString() };
}

/** Each declared host with its daemon's heartbeat record, in swarm.yaml's order (empty for a swarm without `hosts:`). */
export async function readHosts(redis: Redis, keys: Keys, config: SwarmConfig, leader: LeaderStatus | null, now = Date.now()): Promise<HostStatus[]> {
  if (!config.hosts?.length) return [];
  const records = await readHostRecords(redis, keys);
  const recorded = await readConfigVersion(redis, keys);
  const placed = placements(config);
  return config.hosts.map((host) => {
    const record = records.find((r) => r.host === host.name);
    const sessions = placed.filter((p) => p.host === host.name).map((p) => p.session);
    return {
      name: host.name,
      labels: host.labels,
      ssh: host.ssh,
      state: record ? hostLiveness(record, now) : "never",
      version: record?.version ?? null,
      pid: record?.pid ?? null,
      machine: record?.machine ?? null,
      home: record?.home ?? null,
      tmuxSocket: record ? (record.tmuxSocket ?? (isAbsolute(record.home) ? homePaths(record.home).tmuxSocket : null)) : null,
      startedAt: record?.startedAt ?? null,
      heartbeatAt: record?.beatAt ?? null,
      heartbeatAgeMs: record ? Math.max(0, now - Date.parse(record.beatAt)) : null,
      leaseMs: record?.leaseMs ?? null,
      api: record?.api ?? null,
      sessions,
      leader: leader?.host === host.name,
      config: record?.configDigest ? { version: record.configVersion ?? null, digest: record.configDigest, standing: configStanding(record, recorded) } : null,
    };
  });
}
