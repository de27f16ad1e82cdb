import type { Redis } from "ioredis";
import { NotRunningError, type Keys, type SwarmConfig } from "../core/index.js";

/**
 * The running swarm's resolved config, stored in Redis by `up`, so that every
 * client routes and validates against what is actually running.
 */
export async function saveSwarmConfig(redis: Redis, keys: Keys, config: SwarmConfig): Promise<void> {
  await redis.set(keys.config, JSON.stringify(config));
}

export async function readSwarmConfig(redis: Redis, keys: Keys): Promise<SwarmConfig> {
  const raw = await redis.get(keys.config);
  if (!raw) {
    throw new NotRunningError("the swarm's Redis is up but no swarm has been started on it", {
      hint: "Start it with `claude-agent up`.",
    });
  }
  return JSON.parse(raw) as SwarmConfig;
}
