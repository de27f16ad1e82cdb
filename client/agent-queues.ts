import { Queue } from "bullmq";
import { NotFoundError, queueName } from "../core/index.js";
import type { SwarmClient } from "./client.js";
import { clientInternals } from "./internals.js";

/**
 * Pausing an agent's queue (BullMQ's global pause): its sessions take no new
 * job until it is resumed; running jobs finish and waiting ones stay queued
 * with their attempts. Independent of rate-limit parking and the breaker,
 * which the bridge sets and lifts by itself.
 */
export async function setAgentPaused(client: SwarmClient, agent: string, paused: boolean): Promise<void> {
  await withQueue(client, agent, (queue) => (paused ? queue.pause() : queue.resume()));
}

export async function isAgentPaused(client: SwarmClient, agent: string): Promise<boolean> {
  return withQueue(client, agent, (queue) => queue.isPaused());
}

async function withQueue<T>(client: SwarmClient, agent: string, fn: (queue: Queue) => Promise<T>): Promise<T> {
  if (!client.config.agents.some((a) => a.name === agent)) {
    throw new NotFoundError(`unknown agent "${agent}"`, { hint: `Agents: ${client.config.agents.map((a) => a.name).join(", ")}.` });
  }
  const queue = new Queue(queueName(agent), { connection: clientInternals(client).redis, prefix: clientInternals(client).keys.prefix });
  queue.on("error", () => undefined);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}
