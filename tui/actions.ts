import { isTerminal, type TaskRecord } from "../core/index.js";
import { tmux } from "../sessions/index.js";
import type { Link } from "./sources/swarm-link.js";

/**
 * What the keys do to the swarm. Each goes through the same client API the
 * CLI uses (or, for a restart, kills the tmux session and lets the bridge
 * bring it back), and returns a line for the status bar.
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
  const ids = await link.swarm.client.ledger.list(scan);
  const batch = 25;
  for (let i = 0; i < ids.length; i += batch) {
    const records = await Promise.all(ids.slice(i, i + batch).map((id) => link.swarm.client.ledger.get(id)));
    const found = records.find((r) => r && r.agent === agent && isTerminal(r.status) && (r.status === "failed" || r.status === "timeout"));
    if (found) return found;
  }
  return null;
}

export async function retryLastFailed(link: Link, agent: string): Promise<string> {
  const failed = await lastFailedTask(link, agent);
  if (!failed) return `no failed task of ${agent} to retry`;
  // Its stored text is redacted and the raw copy went when it ended: running "[redacted]" would be wrong.
  if (failed.taskRedacted) return `${failed.id} held secrets and is stored redacted; submit it again yourself`;
  const task = await link.swarm.submit({ task: failed.task, agent });
  return `retried ${failed.id} as ${task.id} on ${task.agent}`;
}

/** Kills the agent's tmux session; the bridge notices and starts it again (with backoff). */
export async function restartSession(socket: string, session: string): Promise<string> {
  const result = await tmux(socket, ["kill-session", "-t", `=${session}`]);
  if (!result.ok) return `could not kill ${session}: ${result.stderr.trim() || "tmux failed"}`;
  return `killed ${session}; the bridge restarts it`;
}
