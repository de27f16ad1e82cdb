import { existsSync, readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { isTerminal, queueName, type SwarmEvent, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { type Truthy, waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

/** Shared by the fault tests: small polling helpers and ledger/stream checks. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * waitFor as the fault tests need it: while a process is killed or Redis restarts, a probe that throws
 * (connection refused, a reply cut off) means "not yet"; it polls every 25 ms.
 */
export function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 25): Promise<Truthy<T>> {
  return waitFor(what, check, { timeoutMs, everyMs, retryErrors: true });
}

/** Lines of a file, or [] when it does not exist (yet). */
export function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

/** Every terminal event (`task.completed|failed|timeout|cancelled`) recorded for a task in the swarm's event stream (`<prefix>:events`). */
export async function terminalEvents(swarm: Swarm, taskId: string): Promise<SwarmEvent[]> {
  const events = await swarm.client.events.recent(20_000);
  return events.filter((event) => event.taskId === taskId && event.type.startsWith("task.") && isTerminal(event.type.slice(5)));
}

/** The agent.up / agent.down events of a session, in stream order. */
export async function sessionEvents(swarm: Swarm, session: string): Promise<SwarmEvent[]> {
  const events = await swarm.client.events.recent(20_000);
  return events.filter((event) => event.session === session && (event.type === "agent.up" || event.type === "agent.down"));
}

/** The ledger's view of a task once it is terminal (polling, so it survives Redis restarts on the test side too). */
export async function terminalRecord(swarm: Swarm, taskId: string, timeoutMs = 30_000): Promise<TaskResult> {
  return until(
    `task ${taskId} to reach a terminal state`,
    async () => {
      const result = await swarm.result(taskId);
      return isTerminal(result.status) ? result : null;
    },
    timeoutMs,
    20,
  );
}

/** The BullMQ state of a task's job (`completed`, `active`, `waiting`, …). */
export async function jobState(swarm: Swarm, agent: string, taskId: string): Promise<string> {
  const queue = new Queue(queueName(agent), { connection: clientInternals(swarm.client).redis, prefix: clientInternals(swarm.client).ledger.keys.prefix });
  try {
    const job = await queue.getJob(taskId);
    return job ? await job.getState() : "missing";
  } finally {
    await queue.close();
  }
}

/** `destroy()`, unless FAULTS_KEEP is set (then the home, daemon, tmux and Redis are left for a post-mortem). */
export async function destroyUnlessKept(swarm: TestSwarm | undefined): Promise<void> {
  if (!swarm) return;
  if (process.env.FAULTS_KEEP) console.log(`[faults] home kept: ${swarm.home} (daemon pid ${swarm.daemon?.pid ?? "none"})`);
  else await swarm.destroy();
}
