import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { homePaths, OWNER_LEASE_MS, readConfigVersion, type HostRecord, type Keys, type LogFn } from "../core/index.js";

/** Who a host's daemon is, for its heartbeat record. */
export interface HostIdentity {
  /** Its name in swarm.yaml's `hosts:`. */
  readonly name: string;
  /** claude-agent's version. */
  readonly version: string;
  readonly home: string;
  /** The sessions placed on this host. */
  readonly sessions: readonly string[];
  /** The swarm.yaml it loaded: its digest and the version `up` recorded (core/hosts/config-version.ts). */
  readonly config?: { readonly digest: string; readonly version: number };
}

/**
 * One host's heartbeat record in `<prefix>:hosts` (core/hosts/host-record.ts), written whole at each
 * beat (one HSET: a reader never sees half of one). At a clean stop it is kept with `stoppedAt`, so
 * `status` says the host is down rather than silent.
 */
export class HostBeat {
  private readonly startedAt = new Date().toISOString();
  /** The digest of the newer swarm.yaml this host was last told about, so it says so once per change. */
  private toldOf: string | null = null;
  /** Where the other hosts' daemons reach this one's API; published once the API listens. */
  private api: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly identity: HostIdentity,
    private readonly log: LogFn = () => undefined,
  ) {}

  async beat(): Promise<void> {
    await this.write(this.record(new Date().toISOString()));
    await this.checkConfig();
  }

  /** Another host's `up` recorded another swarm.yaml: this daemon keeps running its own until restarted, and logs that once. */
  private async checkConfig(): Promise<void> {
    const own = this.identity.config;
    if (!own) return;
    const recorded = await readConfigVersion(this.redis, this.keys);
    if (recorded === null || recorded.digest === own.digest || recorded.digest === this.toldOf) return;
    this.toldOf = recorded.digest;
    this.log("host.config-differs", {
      host: this.identity.name,
      runs: `v${own.version} (${own.digest})`,
      recorded: `v${recorded.version} (${recorded.digest}) by ${recorded.host} at ${recorded.at}`,
      hint: `restart this host's daemon with the same swarm.yaml: claude-agent down, then claude-agent up --host ${this.identity.name}`,
    });
  }

  /** Publishes (null: withdraws) the URL of this host's API, at once and with every later beat. */
  async publishApi(url: string | null): Promise<void> {
    this.api = url;
    await this.write(this.record(new Date().toISOString()));
  }

  async stopped(): Promise<void> {
    const now = new Date().toISOString();
    await this.write({ ...this.record(now), stoppedAt: now });
  }

  private record(beatAt: string): HostRecord {
    const { name, version, home, sessions, config } = this.identity;
    return {
      host: name,
      version,
      pid: process.pid,
      machine: hostname(),
      home,
      tmuxSocket: homePaths(home).tmuxSocket,
      ...(this.api !== null && { api: this.api }),
      startedAt: this.startedAt,
      beatAt,
      leaseMs: OWNER_LEASE_MS,
      sessions,
      ...(config && { configDigest: config.digest, configVersion: config.version }),
    };
  }

  private async write(record: HostRecord): Promise<void> {
    await this.redis.hset(this.keys.hosts, record.host, JSON.stringify(record));
  }
}
