import { isTerminal, UsageError, type SwarmConfig, type TaskRecord } from "../core/index.js";
import type { SubmitOptions } from "./task-submit.js";

/** The idempotency key of a task's retry: asked twice (two people, a double click), it runs once. */
export function retryKey(taskId: string): string {
  return `retry:${taskId}`;
}

/**
 * What a retry of `record` submits: the same agent, text and options, under
 * the retry's idempotency key. Refused for a task that has not ended, one
 * whose agent left swarm.yaml, and one whose text held a secret: its record
 * keeps only the redacted text, and running that would be a different task.
 */
export function retryOptions(record: TaskRecord, config: Pick<SwarmConfig, "agents">): SubmitOptions {
  if (!isTerminal(record.status)) {
    throw new UsageError(`task ${record.id} is still ${record.status}: only an ended task can run again`, {
      hint: `\`claude-agent cancel ${record.id}\` ends it first.`,
    });
  }
  if (!config.agents.some((agent) => agent.name === record.agent)) {
    throw new UsageError(`task ${record.id} ran on agent ${record.agent}, which is no longer in swarm.yaml`, {
      hint: "`claude-agent submit --agent NAME` submits its text to another agent.",
    });
  }
  if (record.taskRedacted) {
    throw new UsageError(`task ${record.id}'s text held a secret, which is not kept after a task ends`, {
      hint: "Submit it again with `claude-agent submit`.",
    });
  }
  return {
    task: record.task,
    agent: record.agent,
    timeout: record.timeoutSec,
    ...(record.priority > 0 && { priority: record.priority }),
    ...(record.fresh !== undefined && { fresh: record.fresh }),
    ...(record.gate !== undefined && { gate: record.gate }),
    ...(record.gateRetriesAllowed !== undefined && { gateRetries: record.gateRetriesAllowed }),
    ...(record.autoCommit !== undefined && { commit: record.autoCommit }),
    ...(record.env !== undefined && { env: record.env }),
    idempotencyKey: retryKey(record.id),
  };
}
