import type { Redis } from "ioredis";
import { ConfigError, DEFAULT_INBOX, DEFAULT_RETENTION, FencedError, formatDuration, InboxStore, NotFoundError, type LogFn } from "../core/index.js";
import { clientInternals, type SwarmClient } from "../client/index.js";
import { WorkflowEngine } from "./engine.js";
import { StreamEmitter } from "./events.js";
import { nextNotification } from "./inbox.js";
import { InboxKeeper } from "./inbox-keeper.js";
import { RedisExecutionStore, type ExecutionRetention, type FinishedExecution, type StoreFence } from "./redis-store.js";
import { SwarmStepRunner } from "./swarm-runner.js";
import { EXECUTION_STATUSES, type ExecutionStatus } from "./types.js";

export interface WorkflowServiceOptions {
  /** The daemon's client: steps are its tasks; its connection holds the executions. Not closed here. */
  readonly client: SwarmClient;
  /** A new dedicated connection for the inbox's blocking reads, retrying forever. */
  readonly connect: (name: string) => Redis;
  readonly log?: LogFn;
  /** swarm.yaml's `retention:` (finished executions are forgotten at each sweep); absent: DEFAULT_RETENTION. */
  readonly retention?: ExecutionRetention;
  /** How often every running execution is checked for a driver (a safety net for lost wake-ups). */
  readonly sweepMs?: number;
  /** How often a waiting execution re-reads its state even without a wake-up. */
  readonly pollMs?: number;
  /** In a swarm with `hosts:`: the leader's term, whose token fences every write to an execution. */
  readonly fence?: StoreFence;
}

const INBOX_BLOCK_SEC = 5;
const MAX_RETRY_MS = 30_000;

/**
 * Drives workflow executions inside the swarm's daemon. On start it resumes
 * every execution stored as running (a killed daemon's, and those clients
 * created while it was down); then it runs what clients announce on the inbox
 * (inbox.ts). An execution whose driver failed (say Redis went away) is resumed
 * again with backoff, and a periodic sweep catches anything else, so no
 * execution waits forever. The same sweep forgets finished executions past
 * their retention. close() detaches: tasks keep running in the swarm.
 */
export class WorkflowService {
  readonly engine: WorkflowEngine;
  private readonly store: RedisExecutionStore;
  private readonly emitter: StreamEmitter;
  private readonly blocking: Redis;
  private readonly prefix: string;
  private readonly log: LogFn;
  private readonly retention: ExecutionRetention;
  private sweeping: Promise<void> | null = null;
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | null; delayMs: number }>();
  private listening: Promise<void> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly keeper: InboxKeeper;

  private constructor(private readonly options: WorkflowServiceOptions) {
    const { client } = options;
    const { redis, keys } = clientInternals(client);
    this.prefix = keys.prefix;
    this.log = options.log ?? (() => undefined);
    const { completedMs, failedMs, maxExecutions } = options.retention ?? DEFAULT_RETENTION;
    this.retention = { completedMs, failedMs, maxExecutions };
    this.blocking = options.connect("workflow-inbox");
    this.blocking.on("error", () => undefined);
    this.store = new RedisExecutionStore(redis, this.prefix, options.fence ?? null);
    this.emitter = new StreamEmitter(client.events, this.log);
    const inbox = new InboxStore(redis, this.prefix, keys.events);
    this.keeper = new InboxKeeper(inbox, this.store, this.log);
    this.engine = new WorkflowEngine({
      store: this.store,
      runner: new SwarmStepRunner(client),
      emit: this.emitter.emit,
      pollMs: options.pollMs ?? 5000,
      inbox,
      escalateAfterMs: (client.config.inbox ?? DEFAULT_INBOX).escalateAfterMs,
    });
  }

  /** Starts the service; resolves once every running execution has a driver. Returns it and how many it resumed. */
  static async start(options: WorkflowServiceOptions): Promise<{ service: WorkflowService; resumed: number }> {
    const service = new WorkflowService(options);
    try {
      const resumed = await service.scan();
      service.listening = service.listen();
      service.sweeper = setInterval(() => service.sweep(), options.sweepMs ?? 30_000);
      service.sweeper.unref();
      service.keeper.start();
      const { completedMs, failedMs, maxExecutions } = service.retention;
      service.log("workflow.service.started", {
        resumed,
        retention: { completed: formatDuration(completedMs), failed: formatDuration(failedMs), maxExecutions },
      });
      service.sweep();
      return { service, resumed };
    } catch (error) {
      await service.close();
      throw error;
    }
  }

  /** Intake first (inbox, sweeps, retries), then the drivers (detached: their tasks keep running). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sweeper !== null) clearInterval(this.sweeper);
      await this.sweeping;
      await this.keeper.close();
      for (const retry of this.retries.values()) if (retry.timer !== null) clearTimeout(retry.timer);
      this.retries.clear();
      this.blocking.disconnect();
      await this.listening;
      await this.engine.close();
      await this.emitter.flush();
    })();
    return this.closing;
  }

  /**
   * The periodic safety net: gives every execution in the running set a driver,
   * then forgets finished ones past their retention (no document is read). One
   * sweep at a time.
   */
  private sweep(): void {
    if (this.sweeping !== null || this.closing !== null) return;
    this.sweeping = (async () => {
      for (const id of await this.store.running()) this.drive(id);
      const removed = await this.store.expire(this.retention);
      if (removed > 0) this.log("workflow.expired", { removed });
      await this.keeper.sweep();
    })()
      .catch((error: unknown) => this.log("workflow.sweep.failed", { error }))
      .finally(() => (this.sweeping = null));
  }

  /**
   * At start: every execution stored as running gets a driver, found by reading them
   * all rather than trusting the running set alone (records written before the set
   * existed, or restored from a backup, are found too). Finished ones are indexed
   * for retention if they are not yet (stored before that index existed).
   */
  private async scan(): Promise<number> {
    const { redis } = clientInternals(this.options.client);
    const ids = await redis.zrange(this.store.indexKey, 0, -1);
    let running = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const texts = await redis.mget(chunk.map((id) => this.store.key(id)));
      const finished: FinishedExecution[] = [];
      chunk.forEach((id, j) => {
        const summary = summaryOf(texts[j] ?? null);
        if (summary === null) return;
        if (summary.status !== "running") return void finished.push({ id, ...summary });
        running++;
        this.drive(id);
      });
      await this.store.indexFinished(finished);
    }
    return running;
  }

  private async listen(): Promise<void> {
    while (this.closing === null) {
      let id: string | null;
      try {
        id = await nextNotification(this.blocking, this.prefix, INBOX_BLOCK_SEC);
      } catch (error) {
        if (this.closing !== null) return;
        this.log("workflow.inbox.failed", { error });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (id !== null) this.drive(id);
    }
  }

  /** Wakes the driver of `id`, or starts one. */
  private drive(id: string): void {
    if (this.closing !== null) return;
    if (this.engine.active().includes(id)) return this.engine.poke(id);
    const retry = this.retries.get(id);
    if (retry?.timer != null) return; // a resume is already scheduled
    this.engine.resume(id).then(
      (state) => {
        this.retries.delete(id);
        if (this.closing === null) this.log("workflow.driven", { executionId: id, status: state.status });
      },
      (error: unknown) => this.failed(id, error),
    );
  }

  private failed(id: string, error: unknown): void {
    if (this.closing !== null) return;
    // This daemon's term ended: the new leader drives it; retrying would only be refused again.
    if (error instanceof FencedError) {
      this.retries.delete(id);
      return this.log("workflow.fenced", { executionId: id, error });
    }
    // A record that does not parse, or is gone, will not get better by retrying.
    if (error instanceof ConfigError || error instanceof NotFoundError) {
      this.retries.delete(id);
      return this.log("workflow.unrunnable", { executionId: id, error });
    }
    const delayMs = Math.min((this.retries.get(id)?.delayMs ?? 500) * 2, MAX_RETRY_MS);
    this.log("workflow.driver.failed", { executionId: id, error, retryInMs: delayMs });
    const timer = setTimeout(() => {
      this.retries.set(id, { timer: null, delayMs });
      this.drive(id);
    }, delayMs);
    timer.unref();
    this.retries.set(id, { timer, delayMs });
  }
}

/** The status of a stored execution and when it finished, read cheaply (the engine validates it fully when it resumes it). */
function summaryOf(text: string | null): { status: ExecutionStatus; finishedAt: string | null } | null {
  if (text === null) return null;
  try {
    const raw = JSON.parse(text) as { status?: unknown; finishedAt?: unknown; updatedAt?: unknown };
    const status = EXECUTION_STATUSES.find((known) => known === raw.status);
    if (status === undefined) return null;
    const finishedAt = typeof raw.finishedAt === "string" ? raw.finishedAt : typeof raw.updatedAt === "string" ? raw.updatedAt : null;
    return { status, finishedAt };
  } catch {
    return null;
  }
}
