import { homePaths, localOrigin, resolveHome, type HomePaths } from "../core/index.js";
import { connect, type Swarm } from "../client/index.js";

export interface GlobalOptions {
  home?: string;
}

export function homeOf(options: GlobalOptions): HomePaths {
  return homePaths(resolveHome(options.home));
}

/** Connects to the swarm of this home, runs `fn`, and always closes the connection. */
export async function withSwarm<T>(options: GlobalOptions, fn: (swarm: Swarm) => Promise<T>): Promise<T> {
  const swarm = await connect({ home: homeOf(options).root, origin: localOrigin("cli") });
  try {
    return await fn(swarm);
  } finally {
    await swarm.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
