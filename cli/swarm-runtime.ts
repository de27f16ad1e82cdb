import { Bridge, tuningFromEnv } from "../bridge/index.js";
import {
  agentEnvs,
  checkEvictionPolicy,
  ConfigError,
  configuredSentinelTarget,
  recordRedisTarget,
  connectOrFail,
  createRedis,
  DEFAULT_INBOX,
  describeTarget,
  enforceRedisSafety,
  ensureHome,
  EventStream,
  fileLogger,
  keys,
  ownerOf,
  recordPrefix,
  redisExposure,
  Ledger,
  redisTarget,
  releasePrefix,
  startEmbeddedRedis,
  startPrefix,
  swarmRedactor,
  takePrefix,
  takeHost,
  recordConfigVersion,
  readHostRecords,
  hostLiveness,
  type HostRecord,
  type RecordedConfig,
  TaskEnds,
  placements,
  readLeader,
  type HomeLock,
  type Keys,
  type LogFn,
  type HomePaths,
  type PrefixOwner,
  type RedisOptOuts,
  type RedisTarget,
  type SwarmConfig,
} from "../core/index.js";
import { clientInternals, saveSwarmConfig, SwarmClient } from "../client/index.js";
import { FailedTasksInbox, LeaderLease, Notifier, SupervisorDaemon } from "../supervisor/index.js";
import { WorkflowService } from "../workflows/index.js";
import { memoryProvider, startHistoryWriter } from "../history/index.js";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { startControlPlane } from "./api-runtime.js";
import { refuseOtherVersions } from "./host-checks.js";
import { ControlLoop, type ControlPart, type StartPart } from "./control-loop.js";

export interface StartSwarmOptions {
  readonly home: string;
  readonly config: SwarmConfig;
  /** The home's lock, held by the caller for as long as the swarm runs: nothing is started without it. */
  readonly lock: HomeLock;
  readonly progress?: (line: string) => void;
  /** `up --unsafe-allow-redis-without-auth|tls`: accept an exposed REDIS_URL (with a warning). */
  readonly redisOptOuts?: RedisOptOuts;
  /** Another swarm took this swarm's key prefix while it ran (see core/redis/owner.ts): stop. */
  readonly onPrefixLost?: (holder: PrefixOwner) => void;
  /** In a swarm with `hosts:`: the host this daemon is (`up --host`, resolved by core/hosts' resolveHost). */
  readonly host?: string | null;
  /** claude-agent's version, for a host's heartbeat record. */
  readonly version?: string;
}

export interface RunningSwarm {
  readonly paths: HomePaths;
  /** The Redis key prefix of this swarm. */
  readonly prefix: string;
  readonly config: SwarmConfig;
  readonly bridge: Bridge;
  close(): Promise<void>;
}

/**
 * swarm.yaml's Sentinel group (recorded in the home for the swarm's other processes), else REDIS_URL or the
 * embedded Redis. Both at once is refused: which one holds the tasks would depend on the process.
 */
function swarmRedisTarget(paths: HomePaths, config: SwarmConfig): RedisTarget {
  const sentinel = configuredSentinelTarget(config.redis);
  if (sentinel && process.env.REDIS_URL?.trim()) {
    throw new ConfigError(["redis.sentinels: swarm.yaml names a Sentinel group, and REDIS_URL names a single Redis too"], {
      hint: "Unset REDIS_URL to use the sentinels, or drop `sentinels` and `name` from swarm.yaml's `redis:`.",
    });
  }
  recordRedisTarget(paths, config.redis);
  const target = sentinel ?? redisTarget(paths);
  if (target.kind === "embedded" && config.redis?.acknowledge) {
    // Every submit would wait for a replica that cannot exist, then be refused.
    throw new ConfigError(["redis.acknowledge: the embedded Redis has no replicas to acknowledge a task"], {
      hint: "Use a Redis with replicas (REDIS_URL, or `redis: { sentinels, name }`), or drop `acknowledge`.",
    });
  }
  return target;
}

/**
 * Starts everything a swarm needs in this process: the embedded Redis (a
 * daemon of its own) unless REDIS_URL is set, the tmux server and sessions,
 * the bridge and the supervisor. Closing stops only this process's part.
 * A REDIS_URL must require authentication (and TLS beyond this machine),
 * and the swarm's key prefix must not be another live swarm's.
 */
export async function startSwarm(options: StartSwarmOptions): Promise<RunningSwarm> {
  const progress = options.progress ?? (() => undefined);
  const paths = ensureHome(options.home);
  if (options.lock.holder.pid !== process.pid) throw new Error("startSwarm needs the home's lock held by this process");
  const prefix = startPrefix(paths.root, paths.identity, options.config.swarm);
  const k = keys(prefix);
  const target = swarmRedisTarget(paths, options.config);
  if (target.kind === "embedded") {
    const { reused, pid } = await startEmbeddedRedis(paths);
    progress(reused ? `redis: reusing the running server (pid ${pid})` : `redis: started (pid ${pid}, AOF on, ${paths.redisSocket})`);
  }
  // Probe fast and clearly, then hold a connection that waits out Redis restarts: a result
  // recorded while Redis is briefly down must be written when it is back, not dropped.
  (await connectOrFail(target, 5000)).disconnect();
  for (const warning of enforceRedisSafety(await redisExposure(target, k.config), options.redisOptOuts)) progress(warning);
  const redis = createRedis(target, { worker: true, name: "daemon" });
  redis.on("error", () => undefined);
  const logger = fileLogger(join(paths.logsDir, "swarm.jsonl"), "swarm", swarmRedactor(options.config.agents.flatMap(agentEnvs)));
  const owner = ownerOf(paths.identity.id, paths.root);
  const host = options.host ?? null;
  let claimed = false;
  try {
    const warning = await checkEvictionPolicy(redis, describeTarget(target));
    if (warning) progress(`redis: ${warning}`);
    if (host !== null) await refuseOtherVersions(redis, k, host, options.version ?? "?");
    if (host === null) await takePrefix(redis, k, owner, describeTarget(target));
    else await takeHost(redis, k, owner, host, describeTarget(target));
    claimed = true;
    recordPrefix(paths.root, prefix);
    progress(`swarm: keys under ${prefix}: on ${describeTarget(target)}`);
    await saveSwarmConfig(redis, k, options.config);
    const loaded = options.config.digest ? await recordConfigVersion(redis, k, options.config.digest, host ?? "local") : null;
    if (host !== null && loaded) progress(configLine(loaded, await readHostRecords(redis, k), host));
    // Notifications cover this run from here, though the notifier starts last (it never holds up start-up).
    const notifyFrom = options.config.notify ? await new EventStream(redis, k.events).lastId() : "$";
    const memory = memoryProvider({ home: paths.root, config: options.config, ledger: new Ledger(redis, k.prefix), log: logger.log });
    // The API in this daemon waits for tasks its bridge ends: told in-process, not only through Redis.
    const ends = new TaskEnds();
    const bridge = await Bridge.start({
      ends,
      promptContext: memory,
      config: options.config,
      paths,
      prefix,
      redis,
      connect: (name) => createRedis(target, { worker: true, name }),
      log: logger.log,
      tuning: tuningFromEnv(process.env.CLAUDE_AGENT_TUNING),
      // The flight recorder is on; `CLAUDE_AGENT_RECORDER=off` turns it off (the benchmark measures its cost that way).
      record: process.env.CLAUDE_AGENT_RECORDER !== "off",
      host,
    });
    progress(`tmux: ${bridge.agentSessions.length} sessions on ${paths.tmuxSocket}`);
    const client = new SwarmClient(redis, options.config, () => createRedis(target, { worker: true, name: "supervisor-watcher" }), prefix, {
      onInvalid: (taskId, problems) => logger.log("ledger.invalid-record", { taskId, problems: problems.join("; ") }),
      ends,
    });
    const { retention } = options.config;
    const supervisor = new SupervisorDaemon({
      redis,
      keys: k,
      ledger: clientInternals(client).ledger,
      jobs: client,
      paths,
      retention,
      log: logger.log,
      owner,
      onPrefixLost: options.onPrefixLost,
      // The sweeper is a part of the control loop below, which starts it.
      sweep: false,
      ...(host !== null
        ? {
            host: {
              name: host,
              version: options.version ?? "?",
              home: paths.root,
              sessions: placements(options.config)
                .filter((placed) => placed.host === host)
                .map((placed) => placed.session),
              ...(loaded && { config: { digest: loaded.current.digest, version: loaded.current.version } }),
            },
          }
        : {}),
    });
    await supervisor.start();
    const ledger = clientInternals(client).ledger;
    // A single-host swarm's notifier closes last, after the bridge (its final events get their grace period).
    let lateNotifier: Notifier | null = null;
    let startingUp = true;
    let lease: LeaderLease | null = null;
    // The control loop: exactly one daemon runs it. Started in this order (workflows first: a new leader resumes executions
    // before anything else), stopped all together, before the bridge (workflows stop submitting before it stops taking tasks).
    const parts: StartPart[] = [
      async (term) => {
        const started = await WorkflowService.start({
          client,
          connect: (name) => createRedis(target, { worker: true, name }),
          retention,
          log: logger.log,
          // A write of a stale term is refused in Redis; hearing of it, this daemon steps down at once.
          ...(term !== null && { fence: { token: term.token, refused: (error) => lease?.lost(term.token, error.message) } }),
        });
        if (started.resumed > 0) progress(`workflows: resumed ${started.resumed} running execution${started.resumed === 1 ? "" : "s"}`);
        return started.service;
      },
      async () => {
        supervisor.startSweeping();
        return { close: () => supervisor.stopSweeping() };
      },
      // The durable history: a consumer of the event stream (its group's position carries over between leaders); an unreachable store never stops the swarm.
      () =>
        startHistoryWriter({
          home: paths.root,
          config: options.config,
          redis,
          connect: (name) => createRedis(target, { worker: true, name }),
          prefix: k.prefix,
          log: logger.log,
          progress,
        }),
      // A failed or timed-out task opens a "needs you" item that retries it (its cursor carries over between leaders).
      async (): Promise<ControlPart> => {
        const inbox = options.config.inbox ?? DEFAULT_INBOX;
        if (!inbox.failedTasks) return { close: async () => undefined };
        return FailedTasksInbox.start({
          redis,
          keys: k,
          ledger,
          redact: swarmRedactor(options.config.agents.map((agent) => agent.env)),
          escalateAfterMs: inbox.escalateAfterMs,
          log: logger.log,
        });
      },
      async (): Promise<ControlPart> => {
        // A term won at start-up covers this run from before the bridge started; a later one from its own start
        // (what came before was the previous leader's to notify).
        const after = startingUp ? notifyFrom : await new EventStream(redis, k.events).lastId();
        if (!options.config.notify) return { close: async () => undefined };
        const notifier = Notifier.start({
          config: options.config,
          swarm: options.config.swarm ?? prefix.replace(/^ca-/, ""),
          streamKey: k.events,
          blocking: createRedis(target, { worker: true, name: "notifier" }),
          after,
          taskFacts: async (id) => {
            const record = await ledger.get(id);
            return record ? { text: record.task, exitCode: record.exitCode, reason: record.reason ?? null } : null;
          },
          redact: swarmRedactor(options.config.agents.map((agent) => agent.env)),
          log: logger.log,
        });
        if (host !== null) return notifier;
        lateNotifier = notifier;
        return { close: async () => undefined };
      },
    ];
    const control = new ControlLoop(parts, logger.log);
    const stopControl = async (): Promise<void> => {
      await (lease ?? control).close();
      await control.close();
    };
    try {
      if (host === null) await control.begin(null);
      else lease = await elect(redis, k, host, control, logger.log, progress);
      startingUp = false;
    } catch (error) {
      await Promise.allSettled([stopControl(), supervisor.close(), client.close(), bridge.close()]);
      throw error;
    }
    // The control plane (HTTP API, MCP, metrics): started last, closed first.
    const api = await startControlPlane({
      home: paths.root,
      prefix,
      tmuxSocket: paths.tmuxSocket,
      target,
      config: options.config,
      log: logger.log,
      progress,
      ends,
      host,
    }).catch(async (error) => {
      await Promise.allSettled([stopControl(), supervisor.close(), client.close(), bridge.close(), memory.close()]);
      await (lateNotifier as Notifier | null)?.close();
      throw error;
    });
    // The other hosts' web terminals relay to this host's API from now on (api/web/terminal-relay.ts).
    if (host !== null && api?.advertised) await supervisor.publishApi(api.advertised).catch((error) => logger.log("heartbeat.failed", { error }));
    let closing: Promise<void> | null = null;
    return {
      paths,
      prefix,
      config: options.config,
      bridge,
      close() {
        closing ??= (async () => {
          // Withdrawn before the API stops: a relay asked for meanwhile goes over ssh or is refused, never to a closed port.
          if (host !== null && api?.advertised) await supervisor.publishApi(null).catch((error) => logger.log("heartbeat.failed", { error }));
          await api?.close();
          // The control loop first (workflows stop submitting before the bridge stops taking tasks), then the
          // lease is given up: another host takes over while this one is still closing.
          await stopControl();
          await supervisor.close();
          await client.close();
          await bridge.close();
          await memory.close();
          // Last: the bridge's final events (a task failed at shutdown) still get their grace period.
          await (lateNotifier as Notifier | null)?.close();
          redis.disconnect();
          await logger.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    // Not released, the lease keeps the prefix taken until it runs out.
    if (claimed) await releasePrefix(redis, k, owner).catch((error: unknown) => logger.log("lease.release-failed", { error }));
    redis.disconnect();
    await logger.close();
    throw error;
  }
}

/**
 * A host of a swarm with `hosts:` stands for the leader lease: winning it starts the control loop
 * (the first round is awaited, so `up` says whether this host leads), losing it stops the loop.
 */
async function elect(redis: Redis, k: Keys, host: string, control: ControlLoop, log: LogFn, progress: (line: string) => void): Promise<LeaderLease> {
  const lease: LeaderLease = new LeaderLease({
    redis,
    keys: k,
    host,
    log,
    elected: (term) => {
      control.begin(term).catch((error: unknown) => {
        log("control.start-failed", { term: term.token, error });
        lease.lost(term.token, "its control loop failed to start");
      });
    },
    deposed: () => control.end(),
  });
  await lease.start();
  await control.idle();
  const term = lease.current;
  const leader = term === null ? await readLeader(redis, k).catch(() => null) : null; // only for the line below: unread, no leader named
  progress(
    term !== null
      ? `host: ${host}, leading the swarm (fencing token ${term.token}): sweeper, workflows, history, notifications`
      : `host: ${host}; ${leader ? `host ${leader.host} leads the swarm` : "no host leads the swarm yet"} (this one takes over if it stops)`,
  );
  return lease;
}

/**
 * What `up --host` says of the swarm.yaml it loaded: its version, and when the text changed since the last
 * `up`, which hosts still run the text before (they keep it until their daemons restart).
 */
export function configLine(loaded: RecordedConfig, records: readonly HostRecord[], self: string, now = Date.now()): string {
  const { current, replaced } = loaded;
  const head = `config: swarm.yaml v${current.version} (${current.digest})`;
  if (replaced === null) return head;
  const behind = records.filter(
    (r) => r.host !== self && hostLiveness(r, now) !== "stopped" && r.configDigest !== undefined && r.configDigest !== current.digest,
  );
  const changed = `${head}, changed since v${replaced.version} (${replaced.digest}, loaded by ${replaced.host} at ${replaced.at})`;
  if (behind.length === 0) return changed;
  return `${changed}; ${behind.map((r) => r.host).join(", ")} still run${behind.length === 1 ? "s" : ""} another until restarted with this file`;
}
