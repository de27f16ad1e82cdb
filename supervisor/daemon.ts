import { join } from "node:path";
import type { Redis } from "ioredis";
import {
  claimPrefix,
  EventStream,
  formatDuration,
  InboxStore,
  PolicyAsks,
  releasePrefix,
  withdrawPolicyAsk,
  type HomePaths,
  type Keys,
  type Ledger,
  type LogFn,
  type PrefixOwner,
} from "../core/index.js";
import { Sweeper, type RetentionPolicy, type SweeperDeps } from "./sweeper.js";
import { HostBeat, type HostIdentity } from "./host-beat.js";

const HEARTBEAT_MS = 5_000;
const SWEEP_MS = 30_000;

/** What the sweeper asks of the task queues. */
export type QueueJobs = Required<Pick<SweeperDeps, "jobExists" | "requeue" | "abandonedJob">>;

export interface SupervisorOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  /** The tasks' BullMQ jobs (the swarm's client does this: it owns the queues). */
  readonly jobs: QueueJobs;
  readonly paths: HomePaths;
  /** swarm.yaml's `retention:`; absent: DEFAULT_RETENTION. */
  readonly retention?: RetentionPolicy;
  readonly log?: LogFn;
  /** This daemon's identity: its lease on the key prefix is renewed with every heartbeat and released at close. */
  readonly owner?: PrefixOwner;
  /** Another swarm took the prefix (this daemon stalled past the lease): two daemons must not share it. */
  readonly onPrefixLost?: (holder: PrefixOwner) => void;
  /**
   * A swarm with `hosts:`: this daemon is one host of it. It beats in `<prefix>:hosts` (not the one
   * `<prefix>:daemon` of a single-host swarm) and renews the lease of its host name, not the prefix's.
   */
  readonly host?: HostIdentity;
  /** Whether this daemon sweeps from start; default true. In a swarm with `hosts:` the leader's control loop calls startSweeping. */
  readonly sweep?: boolean;
}

/**
 * The supervisor's long-running side: announces the swarm, keeps the
 * heartbeat that `status` uses to tell a live swarm from a stale record, and
 * sweeps the ledger (lost jobs re-queued, old tasks forgotten).
 */
export class SupervisorDaemon {
  private timers: NodeJS.Timeout[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly events: EventStream;
  private readonly sweeper: Sweeper;
  private sweeping: Promise<unknown> | null = null;
  private readonly log: LogFn;
  private readonly hostBeat: HostBeat | null;
  private readonly leaseKey: string;

  constructor(private readonly options: SupervisorOptions) {
    this.hostBeat = options.host ? new HostBeat(options.redis, options.keys, options.host, options.log) : null;
    this.leaseKey = options.host ? options.keys.hostOwner(options.host.name) : options.keys.owner;
    this.events = new EventStream(options.redis, options.keys.events);
    this.log = options.log ?? (() => undefined);
    this.sweeper = new Sweeper({
      ledger: options.ledger,
      jobExists: (record) => options.jobs.jobExists(record),
      requeue: (record) => options.jobs.requeue(record),
      abandonedJob: (record) => options.jobs.abandonedJob(record),
      outputDir: options.paths.outputDir,
      jobsDir: options.paths.jobsDir,
      agentsDir: join(options.paths.root, "agents"),
      retention: options.retention,
      log: this.log,
      // A task held for a person's approval (policy `ask`) whose job the queue gave up on: nobody waits for that answer now.
      abandoned: async (record, reason) => {
        const inbox = new InboxStore(options.redis, options.keys.prefix, options.keys.events);
        await withdrawPolicyAsk({ asks: new PolicyAsks(options.redis, options.keys), inbox }, record.id, `task ${record.id} failed: ${reason}`);
      },
    });
  }

  async start(): Promise<void> {
    const { redis, keys } = this.options;
    const startedAt = new Date().toISOString();
    const owner = this.options.owner;
    if (this.hostBeat) await this.hostBeat.beat();
    else
      await redis.hset(keys.daemonHeartbeat, {
        pid: process.pid,
        startedAt,
        heartbeatAt: startedAt,
        ...(owner ? { owner: owner.id, home: owner.home, host: owner.host } : {}),
      });
    const host = this.options.host ? ` on host ${this.options.host.name}` : "";
    await this.events.publish("swarm.up", { message: `pid ${process.pid}${host}` });
    const heartbeat = setInterval(() => {
      const beat = this.hostBeat ? this.hostBeat.beat() : redis.hset(keys.daemonHeartbeat, "heartbeatAt", new Date().toISOString());
      beat.catch((error) => this.log("heartbeat.failed", { error }));
      if (owner) this.renewLease(owner);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    this.timers = [heartbeat];
    if (this.options.sweep !== false) this.startSweeping();
  }

  /** Sweeps now and every SWEEP_MS: the control loop's part (with `hosts:`, only while this host leads). */
  startSweeping(): void {
    if (this.sweepTimer !== null || this.timers.length === 0) return;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
    const { completedMs, failedMs, maxTasks } = this.sweeper.retention;
    this.log("sweep.policy", { completed: formatDuration(completedMs), failed: formatDuration(failedMs), maxTasks });
    this.sweep();
  }

  /** Stops sweeping; resolves when a sweep under way has ended. Idempotent. */
  async stopSweeping(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
  }

  /** A host's daemon: publishes where its API is reached (the web terminal's relay), or withdraws it (null). */
  async publishApi(url: string | null): Promise<void> {
    await this.hostBeat?.publishApi(url);
  }

  private renewLease(owner: PrefixOwner): void {
    claimPrefix(this.options.redis, this.options.keys, owner, this.leaseKey).then(
      (holder) => {
        if (!holder) return;
        this.log("swarm.prefix-lost", { prefix: this.options.keys.prefix, home: holder.home, host: holder.host, pid: holder.pid });
        this.options.onPrefixLost?.(holder);
      },
      (error) => this.log("lease.failed", { error }),
    );
  }

  /** One sweep at a time; a slow one is never overlapped by the next. */
  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweeper
      .sweep()
      .catch((error) => this.log("sweep.failed", { error }))
      .finally(() => (this.sweeping = null));
  }

  async close(): Promise<void> {
    if (this.timers.length === 0) return;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.stopSweeping();
    const host = this.options.host ? ` on host ${this.options.host.name}` : "";
    const failed = (step: string) => (error: unknown) => this.log("supervisor.stop-failed", { step, error });
    await this.events.publish("swarm.down", { message: `pid ${process.pid}${host}` }).catch(failed("swarm.down"));
    if (this.hostBeat) await this.hostBeat.stopped().catch(failed("host record"));
    else await this.options.redis.hset(this.options.keys.daemonHeartbeat, "heartbeatAt", "").catch(failed("heartbeat"));
    // Not released, the lease keeps the prefix taken until it runs out.
    if (this.options.owner) await releasePrefix(this.options.redis, this.options.keys, this.options.owner, this.leaseKey).catch(failed("lease"));
  }
}
