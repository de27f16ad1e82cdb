import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { queueName, type JobPayload, type TaskRecord } from "../core/index.js";

/** BullMQ's largest priority (2^21 - 1; it rejects larger ones): the least urgent, and that of tasks given none. */
export const LOWEST_PRIORITY = 2_097_151;

/** Infrastructure failures (pane died, tmux error) are retried this many times in all. */
const JOB_ATTEMPTS = 3;

/** The client's side of the agents' BullMQ queues (one per agent, opened on first use). */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Puts an accepted task's job on its queue; a no-op if the job exists. */
  async enqueue(record: TaskRecord): Promise<void> {
    const payload: JobPayload = { taskId: record.id };
    await this.of(record.agent).add("task", payload, {
      jobId: record.id,
      attempts: JOB_ATTEMPTS,
      backoff: { type: "exponential", delay: 1000 },
      // Always prioritized: BullMQ takes every job of its plain wait list before any prioritized one,
      // so un-prioritised jobs there would overtake an urgent task. They get the lowest priority (FIFO among equals).
      priority: record.priority > 0 ? record.priority : LOWEST_PRIORITY,
    });
  }

  /** Whether the task's BullMQ job exists (in any state). */
  async exists(record: TaskRecord): Promise<boolean> {
    return (await this.of(record.agent).getJob(record.id)) !== undefined;
  }

  /** The task's job when its queue gave up on it (state `failed`): BullMQ's reason and when; else null. */
  async abandoned(record: TaskRecord): Promise<{ reason: string; failedAt: number } | null> {
    const job = await this.of(record.agent).getJob(record.id);
    if (!job || (await job.getState()) !== "failed") return null;
    return { reason: job.failedReason ?? "", failedAt: job.finishedOn ?? job.processedOn ?? job.timestamp };
  }

  of(agent: string): Queue {
    let queue = this.queues.get(agent);
    if (!queue) {
      queue = new Queue(queueName(agent), { connection: this.redis, prefix: this.prefix });
      // Without a listener BullMQ console.errors every failed reconnect (a Redis restart spams the user's
      // stderr); the command that needed Redis still rejects through its own promise.
      queue.on("error", () => undefined);
      this.queues.set(agent, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }
}
