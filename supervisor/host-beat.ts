import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { OWNER_LEASE_MS, type HostRecord, type Keys } from "../core/index.js";

/** Who a host's daemon is, for its heartbeat record. */
export interface HostIdentity {
  /** Its name in swarm.yaml's `hosts:`. */
  readonly name: string;
  /** claude-agent's version. */
  readonly version: string;
  readonly home: string;
  /** The sessions placed on this host. */
  readonly sessions: readonly string[];
}

/**
 * One host's heartbeat record in `<prefix>:hosts` (core/hosts/host-record.ts), written whole at each
 * beat (one HSET: a reader never sees half of one). At a clean stop it is kept with `stoppedAt`, so
 * `status` says the host is down rather than silent.
 */
export class HostBeat {
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly identity: HostIdentity,
  ) {}

  async beat(): Promise<void> {
    await this.write(this.record(new Date().toISOString()));
  }

  async stopped(): Promise<void> {
    const now = new Date().toISOString();
    await this.write({ ...this.record(now), stoppedAt: now });
  }

  private record(beatAt: string): HostRecord {
    const { name, version, home, sessions } = this.identity;
    return { host: name, version, pid: process.pid, machine: hostname(), home, startedAt: this.startedAt, beatAt, leaseMs: OWNER_LEASE_MS, sessions };
  }

  private async write(record: HostRecord): Promise<void> {
    await this.redis.hset(this.keys.hosts, record.host, JSON.stringify(record));
  }
}
