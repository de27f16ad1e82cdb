import { isTerminal, type TaskRecord } from "../core/index.js";
import type { Link } from "./sources/swarm-link.js";

/**
 * What the keys do to the swarm. Each goes through the same client API the
 * CLI uses, and returns a line for the status bar.
 */

export async function submitTask(link: Link, agent: string, text: string): Promise<string> {
  const task = await link.swarm.submit({ task: text, agent });
  return `submitted ${task.id} to ${task.agent}`;
}

export async function cancelCurrent(link: Link, session: string, taskId: string | null): Promise<string> {
  if (!taskId) return `${session} is not running a task`;
  const outcome = await link.swarm.client.cancel(taskId);
  return outcome.cancelled ? `cancelling ${taskId} (${outcome.status})` : `${taskId} had already ended (${outcome.status})`;
}

/** The newest failed (or timed-out) task of `agent`, among the last `scan` tasks. */
export async function lastFailedTask(link: Link, agent: string, scan = 500): Promise<TaskRecord | null> {
  for await (const record of link.swarm.client.recentTasks(scan)) {
    if (record.agent === agent && isTerminal(record.status) && (record.status === "failed" || record.status === "timeout")) return record;
  }
  return null;
}

export async function retryLastFailed(link: Link, agent: string): Promise<string> {
  const failed = await lastFailedTask(link, agent);
  if (!failed) return `no failed task of ${agent} to retry`;
  // Its stored text is redacted and the raw copy went when it ended: running "[redacted]" would be wrong.
  if (failed.taskRedacted) return `${failed.id} held secrets and is stored redacted; submit it again yourself`;
  // The same retry as `claude-agent retry` and the inbox's: same options, run once, its inbox item answered.
  const task = await link.swarm.client.retry(failed.id, { origin: { actor: `tui:${process.env.USER ?? "unknown"}`, via: "tui" } });
  return task.created ? `retried ${failed.id} as ${task.id} on ${task.agent}` : `${failed.id} was retried before, as ${task.id}`;
}

/** Asks the bridge to restart the session: it kills the session and starts it again (with backoff), as after a crash. */
export async function restartSession(link: Link, session: string): Promise<string> {
  const { ended } = await link.swarm.client.restartSession(session, { reason: "restart requested from the dashboard" });
  return ended ? `killed ${session}; the bridge restarts it` : `asked the bridge to restart ${session}; it has not yet (is the bridge running?)`;
}
