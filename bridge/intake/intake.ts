import { DelayedError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { DispatchFencedError, type AgentConfig, type JobPayload, type Ledger } from "../../core/index.js";
import type { AdmissionControl } from "../admission/index.js";
import type { BridgeLog } from "../log-events.js";
import type { TaskRunner } from "../task-runner.js";
import { reconcileActiveJobs } from "./reconcile.js";
import type { AgentWorkers } from "./workers.js";

export interface IntakeDeps {
  readonly agents: readonly AgentConfig[];
  readonly workers: AgentWorkers;
  readonly admission: AdmissionControl;
  readonly runner: TaskRunner;
  /** Moves a job whose task waits for a person's answer out of the worker until then (admission/policy-holds.ts). */
  readonly park: (job: Job<JobPayload>, token: string | undefined) => Promise<void>;
  readonly ledger: Ledger;
  /** The shared connection (a dead bridge's active jobs are read through it). */
  readonly redis: Redis;
  /** Makes a connection of its own (the cancel subscriber). */
  readonly connect: (name: string) => Redis;
  readonly log: BridgeLog;
  /**
   * The agents whose active jobs a starting bridge may take over at once (default: all of `agents`). On one
   * host of several, only agents living on this host alone: another host's active job is that host's, alive.
   */
  readonly reconcile?: readonly AgentConfig[];
}

/**
 * Where jobs come in: the agents' BullMQ workers, a dead bridge's active
 * jobs, and cancel requests. Each job is put to admission (run, hold or
 * refuse) and, when admitted, handed to the runner.
 */
export class Intake {
  private closing = false;
  /**
   * A failed job's fence: its task's `attempts` read when its run threw, while this worker still held the job's
   * lock (no other host can have dispatched it then). The `failed` handler writes with it, after BullMQ let go
   * of the job: by then another host may have taken it and counted a dispatch, and the write is refused.
   */
  private readonly fences = new Map<string, number>();

  constructor(private readonly deps: IntakeDeps) {}

  async start(): Promise<void> {
    const { agents, ledger, runner, log } = this.deps;
    await reconcileActiveJobs({ agents: this.deps.reconcile ?? agents, redis: this.deps.redis, prefix: ledger.keys.prefix, runner, log });
    // A parking or an open breaker from before a restart holds on: their workers start held.
    await this.deps.admission.restore(agents.map((agent) => agent.name));
    const failed = (job: Job<JobPayload> | undefined, error: Error) =>
      void this.onJobFailed(job, error).catch((failure) => log("job.retry-record-failed", { taskId: job?.data?.taskId, error: failure }));
    for (const agent of agents) this.deps.workers.start(agent, { process: (job, token) => this.process(agent.name, job, token), failed });
    const subscriber = this.deps.connect("bridge:cancel");
    // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt while Redis is down.
    subscriber.on("error", (error: Error) => log("cancel-subscriber.error", { error }));
    subscriber.on("message", (_channel: string, taskId: string) => runner.cancel(taskId));
    await subscriber.subscribe(ledger.keys.cancelChannel);
  }

  /** Stops taking jobs; running ones go on in their panes (their connections are closed by the bridge, last). */
  async close(): Promise<void> {
    this.closing = true;
    await this.deps.workers.stop();
  }

  private async process(agent: string, job: Job<JobPayload>, token: string | undefined): Promise<void> {
    const decision = await this.deps.admission.decide(agent, job.data?.taskId);
    if (decision.kind === "refuse") return this.deps.log("job.malformed", { jobId: job.id, data: job.data, why: decision.why });
    // Back to waiting, no attempt spent; the worker is paused until the hold ends.
    if (decision.kind === "hold") throw Worker.RateLimitError();
    const { taskId } = decision;
    let held = false;
    try {
      await this.deps.admission.run(agent, decision, {
        run: async () => void (held = (await this.deps.runner.run(taskId)) === "held"),
        read: async () => (this.closing ? null : this.deps.ledger.get(taskId)),
      });
    } catch (error) {
      // A hold (a rate limit) puts the job back without a `failed` event: nothing to fence.
      if (error instanceof Error && error.name !== "RateLimitError" && job.id !== undefined) {
        const attempts = await this.deps.ledger.attempts(taskId).catch(() => null); // unread: no fence, the error goes on below
        if (attempts !== null) remember(this.fences, fenceKey(job.id, job.attemptsMade), attempts);
      }
      throw error;
    }
    if (!held) return;
    // Waiting for a person: delayed, no attempt spent, no worker slot taken; the answer promotes it.
    await this.deps.park(job, token);
    throw new DelayedError();
  }

  private async onJobFailed(job: Job<JobPayload> | undefined, error: Error): Promise<void> {
    const taskId = job?.data?.taskId;
    if (!job || typeof taskId !== "string") return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.deps.log("job.infra-error", { taskId, attempt: job.attemptsMade, final, error });
    // attemptsMade counts this failure; the fence was kept under the count before it.
    const key = job.id === undefined ? null : fenceKey(job.id, job.attemptsMade - 1);
    const fence = key === null ? undefined : this.fences.get(key);
    if (key !== null) this.fences.delete(key);
    try {
      if (final) {
        const record = await this.deps.ledger.get(taskId);
        await this.deps.ledger.finish(
          taskId,
          "failed",
          {
            exitCode: null,
            finishedAt: new Date().toISOString(),
            reason: `infrastructure failure after ${job.attemptsMade} attempts: ${error.message}`,
          },
          record?.agent,
          fence,
        );
      } else {
        await this.deps.ledger.update(taskId, { status: "queued" }, { type: "task.retrying", data: { message: error.message } }, fence);
      }
    } catch (failure) {
      if (!(failure instanceof DispatchFencedError)) throw failure;
      // Another host took the job over and dispatched the task since: the record is that dispatch's now.
      this.deps.log("dispatch.fenced", { taskId, attempt: failure.attempt });
    }
  }
}

function fenceKey(jobId: string, attemptsMade: number): string {
  return `${jobId}:${attemptsMade}`;
}

/** Fences of failures whose `failed` event never came (a closing worker) must not pile up. */
const MAX_FENCES = 10_000;

function remember(fences: Map<string, number>, key: string, value: number): void {
  if (fences.size >= MAX_FENCES) fences.delete(fences.keys().next().value!);
  fences.set(key, value);
}
