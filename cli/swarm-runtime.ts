import { Bridge, tuningFromEnv } from "../bridge/index.js";
import {
  agentEnvs,
  checkEvictionPolicy,
  connectOrFail,
  createRedis,
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
  controlHost,
  placements,
  type HomeLock,
  type HomePaths,
  type PrefixOwner,
  type RedisOptOuts,
  type SwarmConfig,
} from "../core/index.js";
import { clientInternals, saveSwarmConfig, SwarmClient } from "../client/index.js";
import { Notifier, SupervisorDaemon } from "../supervisor/index.js";
import { WorkflowService } from "../workflows/index.js";
import { memoryProvider, startHistoryWriter } from "../history/index.js";
import { join } from "node:path";
import { startControlPlane } from "./api-runtime.js";

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
  const target = redisTarget(paths);
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
  // One host runs the swarm's control loop (first in `hosts:`); there is no failover to another yet (docs/MULTI-HOST.md).
  const control = host === null || controlHost(options.config) === host;
  let claimed = false;
  try {
    const warning = await checkEvictionPolicy(redis);
    if (warning) progress(`redis: ${warning}`);
    if (host === null) await takePrefix(redis, k, owner, describeTarget(target));
    else await takeHost(redis, k, owner, host, describeTarget(target));
    claimed = true;
    recordPrefix(paths.root, prefix);
    progress(`swarm: keys under ${prefix}: on ${describeTarget(target)}`);
    if (host !== null) progress(`host: ${host}${control ? " (the control host: sweeper, workflows, history, notifications)" : ""}`);
    await saveSwarmConfig(redis, k, options.config);
    // Notifications cover this run from here, though the notifier starts last (it never holds up start-up).
    const notifyFrom = options.config.notify ? await new EventStream(redis, k.events).lastId() : "$";
    const memory = memoryProvider({ home: paths.root, config: options.config, ledger: new Ledger(redis, k.prefix), log: logger.log });
    const bridge = await Bridge.start({
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
      sweep: control,
      ...(host !== null
        ? {
            host: {
              name: host,
              version: options.version ?? "?",
              home: paths.root,
              sessions: placements(options.config)
                .filter((placed) => placed.host === host)
                .map((placed) => placed.session),
            },
          }
        : {}),
    });
    await supervisor.start();
    let workflows: WorkflowService | null = null;
    try {
      if (control) {
        const started = await WorkflowService.start({ client, connect: (name) => createRedis(target, { worker: true, name }), retention, log: logger.log });
        workflows = started.service;
        if (started.resumed > 0) progress(`workflows: resumed ${started.resumed} running execution${started.resumed === 1 ? "" : "s"}`);
      }
    } catch (error) {
      await Promise.allSettled([supervisor.close(), client.close(), bridge.close()]);
      throw error;
    }
    // The durable history: a consumer of the event stream (on the control host only); an unreachable store never stops the swarm.
    const history = control
      ? await startHistoryWriter({
          home: paths.root,
          config: options.config,
          redis,
          connect: (name) => createRedis(target, { worker: true, name }),
          prefix: k.prefix,
          log: logger.log,
          progress,
        })
      : historyElsewhere(progress, controlHost(options.config));
    // The control plane (HTTP API, MCP, metrics): started last, closed first.
    const api = await startControlPlane({
      home: paths.root,
      prefix,
      tmuxSocket: paths.tmuxSocket,
      target,
      config: options.config,
      log: logger.log,
      progress,
    }).catch(async (error) => {
      await Promise.allSettled([workflows?.close(), supervisor.close(), client.close(), bridge.close(), history.close(), memory.close()]);
      throw error;
    });
    const ledger = clientInternals(client).ledger;
    const notifier =
      options.config.notify && control
        ? Notifier.start({
            config: options.config,
            swarm: options.config.swarm ?? prefix.replace(/^ca-/, ""),
            streamKey: k.events,
            blocking: createRedis(target, { worker: true, name: "notifier" }),
            after: notifyFrom,
            taskFacts: async (id) => {
              const record = await ledger.get(id);
              return record ? { text: record.task, exitCode: record.exitCode, reason: record.reason ?? null } : null;
            },
            redact: swarmRedactor(options.config.agents.map((agent) => agent.env)),
            log: logger.log,
          })
        : null;
    let closing: Promise<void> | null = null;
    return {
      paths,
      prefix,
      config: options.config,
      bridge,
      close() {
        closing ??= (async () => {
          await api?.close();
          // Workflows first: they stop submitting before the bridge stops taking tasks.
          await workflows?.close();
          await supervisor.close();
          await client.close();
          await bridge.close();
          await history.close();
          await memory.close();
          // Last: the bridge's final events (a task failed at shutdown) still get their grace period.
          await notifier?.close();
          redis.disconnect();
          await logger.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    if (claimed) await releasePrefix(redis, k, owner).catch(() => undefined);
    redis.disconnect();
    await logger.close();
    throw error;
  }
}

/** A host that is not the control host writes no history: the control host's writer reads the whole event stream. */
function historyElsewhere(progress: (line: string) => void, control: string | null): { close(): Promise<void> } {
  progress(`history: written by the control host ${control ?? "?"}`);
  return { close: async () => undefined };
}
