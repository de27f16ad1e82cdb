import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { queueName, type AgentConfig, type JobPayload } from "../../core/index.js";
import type { HoldScope, Valve } from "../admission/index.js";
import type { BridgeLog } from "../log-events.js";
import { workerOptions, type BridgeTuning } from "../tuning.js";

export interface WorkerHandlers {
  readonly process: (job: Job<JobPayload>, token?: string) => Promise<void>;
  readonly failed: (job: Job<JobPayload> | undefined, error: Error) => void;
}

/**
 * One BullMQ worker per agent (concurrency = its replicas), and the valve
 * that holds an agent's queue (admission/holds.ts): a held agent's worker is
 * paused in this process only (the jobs stay waiting in Redis, no attempt
 * spent), so another bridge serving the same queue is not held by it. A hold
 * that comes before the worker exists (restored at start) starts it paused.
 */
export class AgentWorkers implements Valve {
  private readonly workers = new Map<string, Worker<JobPayload>>();
  private readonly held = new Set<string>();

  constructor(
    private readonly deps: {
      readonly connect: (name: string) => Redis;
      readonly prefix: string;
      readonly tuning: Partial<BridgeTuning>;
      readonly log: BridgeLog;
      /** How many jobs of the agent this bridge runs at once: its replicas here (default: all of them). */
      readonly concurrency?: (agent: AgentConfig) => number;
    },
  ) {}

  start(agent: AgentConfig, handlers: WorkerHandlers): void {
    const worker = new Worker<JobPayload>(queueName(agent.name), handlers.process, {
      connection: this.deps.connect(`bridge:${agent.name}`),
      prefix: this.deps.prefix,
      ...workerOptions(this.deps.concurrency?.(agent) ?? agent.replicas, this.deps.tuning),
      // Started here, unless held: a worker started and paused at once could take a job in between.
      autorun: false,
    });
    worker.on("failed", handlers.failed);
    worker.on("error", (error) => this.deps.log("worker.error", { agent: agent.name, error }));
    this.workers.set(agent.name, worker);
    if (!this.held.has(agent.name)) this.run(agent.name, worker);
  }

  async close(scope: HoldScope): Promise<void> {
    this.held.add(scope.agent);
    // Running jobs go on (doNotWaitActive): only the taking of new ones stops.
    await this.workers.get(scope.agent)?.pause(true);
  }

  async open(scope: HoldScope): Promise<void> {
    this.held.delete(scope.agent);
    // Also starts a worker that was created held and never ran.
    await this.workers.get(scope.agent)?.resume();
  }

  /** Stops taking jobs; running ones keep running in their panes (force: their locks are left to expire or to the next bridge). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close(true)));
  }

  private run(agent: string, worker: Worker<JobPayload>): void {
    worker.run().catch((error: unknown) => this.deps.log("worker.error", { agent, error }));
  }
}
