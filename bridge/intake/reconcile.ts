import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { queueName, type AgentConfig, type JobPayload } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { TaskRunner } from "../task-runner.js";

/**
 * Jobs a dead bridge left active stay locked until their lock expires and
 * BullMQ's stalled check re-delivers them (10-15 s with our tuning). Their
 * tasks are picked up at once instead; the re-delivered job later finds the
 * task in flight or finished (the runner is idempotent by task id).
 */
export async function reconcileActiveJobs(deps: {
  readonly agents: readonly AgentConfig[];
  readonly redis: Redis;
  readonly prefix: string;
  readonly runner: TaskRunner;
  readonly log: BridgeLog;
}): Promise<void> {
  for (const agent of deps.agents) {
    const queue = new Queue<JobPayload>(queueName(agent.name), { connection: deps.redis, prefix: deps.prefix });
    try {
      for (const job of await queue.getActive()) {
        const taskId = job.data?.taskId;
        if (typeof taskId !== "string") continue;
        deps.log("job.reconciled", { taskId, agent: agent.name });
        void deps.runner.run(taskId).catch((error) => deps.log("job.reconcile-failed", { taskId, error }));
      }
    } finally {
      await queue.close();
    }
  }
}
