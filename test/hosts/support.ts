/**
 * Two simulated hosts of one swarm: two homes (each its own tmux server and
 * daemon, started with its own `up --host`) sharing one real redis-server on
 * loopback that demands a password. What test/hosts/*.test.ts start.
 */
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";

export interface TwoHosts {
  readonly server: TcpRedis;
  /** REDIS_URL (with the password) for every process of the swarm. */
  readonly env: NodeJS.ProcessEnv;
  /** The first host, started first. */
  readonly build: TestSwarm;
  readonly gpu: TestSwarm;
  /** Stops both daemons (down), removes the homes and stops Redis. */
  stop(): Promise<void>;
}

/**
 * `yaml` must declare the hosts build-1 and gpu-1; build-1's daemon is up before gpu-1's starts.
 * `daemonEnv`: more environment for both daemons (CLAUDE_AGENT_TUNING).
 */
export async function startTwoHosts(yaml: string, password: string, daemonEnv: NodeJS.ProcessEnv = {}): Promise<TwoHosts> {
  const server = await startTcpRedis({ args: ["--requirepass", password] });
  const env = { REDIS_URL: server.url(`:${password}`) };
  const upEnv = { ...daemonEnv, ...env };
  const started: TestSwarm[] = [];
  const stop = async (): Promise<void> => {
    for (const swarm of started) await swarm.destroy();
    await server.stop();
  };
  try {
    started.push(await startTestSwarm(yaml, { env: upEnv, upArgs: ["--host", "build-1"] }));
    started.push(await startTestSwarm(yaml, { env: upEnv, upArgs: ["--host", "gpu-1"] }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, env, build: started[0]!, gpu: started[1]!, stop };
}
