import { Bridge, tuningFromEnv } from "../bridge/index.js";
import {
  checkEvictionPolicy,
  connectOrFail,
  createRedis,
  ensureHome,
  fileLogger,
  keys,
  Ledger,
  redisTarget,
  startEmbeddedRedis,
  swarmRedactor,
  type HomePaths,
  type SwarmConfig,
} from "../core/index.js";
import { saveSwarmConfig, SupervisorDaemon, SwarmClient } from "../supervisor/index.js";
import { WorkflowService } from "../workflows/index.js";
import { memoryProvider, startHistoryWriter } from "../history/index.js";
import { join } from "node:path";

export interface RunningSwarm {
  readonly paths: HomePaths;
  readonly config: SwarmConfig;
  readonly bridge: Bridge;
  close(): Promise<void>;
}

/**
 * Starts everything a swarm needs in this process: the embedded Redis (a
 * daemon of its own) unless REDIS_URL is set, the tmux server and sessions,
 * the bridge and the supervisor. Closing stops only this process's part.
 */
export async function startSwarm(options: { home: string; config: SwarmConfig; progress?: (line: string) => void }): Promise<RunningSwarm> {
  const progress = options.progress ?? (() => undefined);
  const paths = ensureHome(options.home);
  const target = redisTarget(paths);
  if (target.kind === "embedded") {
    const { reused, pid } = await startEmbeddedRedis(paths);
    progress(reused ? `redis: reusing the running server (pid ${pid})` : `redis: started (pid ${pid}, AOF on, ${paths.redisSocket})`);
  }
  // Probe fast and clearly, then hold a connection that waits out Redis restarts: a result
  // recorded while Redis is briefly down must be written when it is back, not dropped.
  (await connectOrFail(target, 5000)).disconnect();
  const redis = createRedis(target, { worker: true, name: "daemon" });
  redis.on("error", () => undefined);
  const logger = fileLogger(join(paths.logsDir, "swarm.jsonl"), "swarm", swarmRedactor(options.config.agents.map((agent) => agent.env)));
  try {
    const warning = await checkEvictionPolicy(redis);
    if (warning) progress(`redis: ${warning}`);
    const k = keys();
    await saveSwarmConfig(redis, k, options.config);
    const memory = memoryProvider({ home: paths.root, config: options.config, ledger: new Ledger(redis, k.prefix), log: logger.log });
    const bridge = await Bridge.start({
      promptContext: memory,
      config: options.config,
      paths,
      redis,
      connect: (name) => createRedis(target, { worker: true, name }),
      log: logger.log,
      tuning: tuningFromEnv(process.env.CLAUDE_AGENT_TUNING),
    });
    progress(`tmux: ${bridge.agentSessions.length} sessions on ${paths.tmuxSocket}`);
    const client = new SwarmClient(redis, options.config, () => createRedis(target, { worker: true, name: "supervisor-watcher" }));
    const { retention } = options.config;
    const supervisor = new SupervisorDaemon({ redis, keys: k, client, paths, retention, log: logger.log });
    await supervisor.start();
    let workflows: WorkflowService;
    try {
      const started = await WorkflowService.start({ client, connect: (name) => createRedis(target, { worker: true, name }), retention, log: logger.log });
      workflows = started.service;
      if (started.resumed > 0) progress(`workflows: resumed ${started.resumed} running execution${started.resumed === 1 ? "" : "s"}`);
    } catch (error) {
      await Promise.allSettled([supervisor.close(), client.close(), bridge.close()]);
      throw error;
    }
    // The durable history: a consumer of the event stream; an unreachable store never stops the swarm.
    const history = await startHistoryWriter({ home: paths.root, config: options.config, redis, connect: (name) => createRedis(target, { worker: true, name }), prefix: k.prefix, log: logger.log, progress });
    let closing: Promise<void> | null = null;
    return {
      paths,
      config: options.config,
      bridge,
      close() {
        closing ??= (async () => {
          // Workflows first: they stop submitting before the bridge stops taking tasks.
          await workflows.close();
          await supervisor.close();
          await client.close();
          await bridge.close();
          await history.close();
          await memory.close();
          redis.disconnect();
          await logger.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    redis.disconnect();
    await logger.close();
    throw error;
  }
}
