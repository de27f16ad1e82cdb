import { connectOrFail, createRedis, homePaths, homePrefix, redisTarget, resolveHome, type Origin, type TaskResult, type SwarmConfig } from "../core/index.js";
import { SwarmClient } from "./client.js";
import type { SubmitOptions, Submitted } from "./task-submit.js";
import type { SwarmStatus } from "./status.js";

export interface ConnectOptions {
  /** The swarm's home; defaults to $CLAUDE_AGENT_HOME or ~/.claude-agent. */
  readonly home?: string;
  /** The swarm's Redis key prefix; default: the one the home's last `up` recorded (its swarm's name). */
  readonly prefix?: string;
  /** Who acts through this connection, for the audit log; default: this OS user via the SDK. */
  readonly origin?: Origin;
}

export interface TaskHandle extends Submitted {
  /** Resolves when the task reaches a terminal state. */
  result(options?: { signal?: AbortSignal }): Promise<TaskResult>;
  cancel(): Promise<void>;
}

export interface Swarm {
  readonly config: SwarmConfig;
  submit(options: SubmitOptions): Promise<TaskHandle>;
  task(id: string): TaskHandle;
  result(id: string, options?: { wait?: boolean }): Promise<TaskResult>;
  status(): Promise<SwarmStatus>;
  readonly client: SwarmClient;
  close(): Promise<void>;
}

/**
 * The SDK entry: `const swarm = await connect({ home })`. Throws
 * NotRunningError when no swarm runs in that home.
 */
export async function connect(options: ConnectOptions = {}): Promise<Swarm> {
  const paths = homePaths(resolveHome(options.home));
  const target = redisTarget(paths);
  const redis = await connectOrFail(target);
  let client: SwarmClient;
  try {
    client = await SwarmClient.open(
      redis,
      () => {
        const watcher = createRedis(target, { worker: true, name: "watcher" });
        // It reconnects by itself; without a listener ioredis prints every failed attempt while Redis restarts or fails over.
        watcher.on("error", () => undefined);
        return watcher;
      },
      options.prefix ?? homePrefix(paths.root),
      options.origin,
    );
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const handle = (submitted: Submitted): TaskHandle => ({
    ...submitted,
    result: (opts = {}) => client.result(submitted.id, { wait: true, ...opts }),
    cancel: async () => void (await client.cancel(submitted.id)),
  });
  return {
    config: client.config,
    client,
    submit: async (opts) => handle(await client.submit(opts)),
    task: (id) => handle({ id, agent: "", routedBy: "", created: false }),
    result: (id, opts) => client.result(id, opts),
    status: () => client.status(),
    close: async () => {
      await client.close();
      // QUIT lets the server close the socket at once; ioredis' disconnect() half-closes it and keeps a 2 s timer
      // (disconnectTimeout) that held every CLI command's exit back by up to 2 s.
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
