import { join } from "node:path";
import type { Redis } from "ioredis";
import {
  claimPrefix,
  EventStream,
  formatDuration,
  releasePrefix,
  type HomePaths,
  type Keys,
  type Ledger,
  type LogFn,
  type PrefixOwner,
} from "../core/index.js";
import { Sweeper, type RetentionPolicy, type SweeperDeps } from "./sweeper.js";

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
}

/**
 * The supervisor's long-running side: announces the swarm, keeps the
 * heartbeat that `status` uses to tell a live swarm from a stale record, and
 * sweeps the ledger (lost jobs re-queued, old tasks forgotten).
 */
export class SupervisorDaemon {
  private timers: NodeJS.Timeout[] = [];
  private readonly events: EventStream;
  private readonly sweeper: Sweeper;
  private sweeping: Promise<unknown> | null = null;
  private readonly log: LogFn;

  constructor(private readonly options: SupervisorOptions) {
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
    });
  }

  async start(): Promise<void> {
    const { redis, keys } = this.options;
    const startedAt = new Date().toISOString();
    const owner = this.options.owner;
    await redis.hset(keys.daemonHeartbeat, {
      pid: process.pid,
      startedAt,
      heartbeatAt: startedAt,
      ...(owner ? { owner: owner.id, home: owner.home, host: owner.host } : {}),
    });
    await this.events.publish("swarm.up", { message: `pid ${process.pid}` });
    const heartbeat = setInterval(() => {
      redis.hset(keys.daemonHeartbeat, "heartbeatAt", new Date().toISOString()).catch((error) => this.log("heartbeat.failed", { error }));
      if (owner) this.renewLease(owner);
    }, HEARTBEAT_MS);
    const sweep = setInterval(() => this.sweep(), SWEEP_MS);
    this.timers = [heartbeat, sweep];
    for (const timer of this.timers) timer.unref();
    const { completedMs, failedMs, maxTasks } = this.sweeper.retention;
    this.log("sweep.policy", { completed: formatDuration(completedMs), failed: formatDuration(failedMs), maxTasks });
    this.sweep();
  }

  private renewLease(owner: PrefixOwner): void {
    claimPrefix(this.options.redis, this.options.keys, owner).then(
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
    await this.sweeping;
    await this.events.publish("swarm.down", { message: `pid ${process.pid}` }).catch(() => undefined);
    await this.options.redis.hset(this.options.keys.daemonHeartbeat, "heartbeatAt", "").catch(() => undefined);
    if (this.options.owner) await releasePrefix(this.options.redis, this.options.keys, this.options.owner).catch(() => undefined);
  }
}
