import type { Redis } from "ioredis";
import { ConfigError, NotFoundError, type LogFn } from "../core/index.js";
import type { SwarmClient } from "../supervisor/index.js";
import { WorkflowEngine } from "./engine.js";
import { StreamEmitter } from "./events.js";
import { nextNotification } from "./inbox.js";
import { RedisExecutionStore } from "./redis-store.js";
import { SwarmStepRunner } from "./swarm-runner.js";

export interface WorkflowServiceOptions {
  /** The daemon's client: steps are its tasks; its connection holds the executions. Not closed here. */
  readonly client: SwarmClient;
  /** A new dedicated connection for the inbox's blocking reads, retrying forever. */
  readonly connect: (name: string) => Redis;
  readonly log?: LogFn;
  /** How often every running execution is checked for a driver (a safety net for lost wake-ups). */
  readonly sweepMs?: number;
  /** How often a waiting execution re-reads its state even without a wake-up. */
  readonly pollMs?: number;
}

const INBOX_BLOCK_SEC = 5;
const MAX_RETRY_MS = 30_000;

/**
 * Drives workflow executions inside the swarm's daemon. On start it resumes
 * every execution stored as running (a killed daemon's, and those clients
 * created while it was down); then it runs what clients announce on the inbox
 * (inbox.ts). An execution whose driver failed (say Redis went away) is resumed
 * again with backoff, and a periodic sweep catches anything else, so no
 * execution waits forever. close() detaches: tasks keep running in the swarm.
 */
export class WorkflowService {
  readonly engine: WorkflowEngine;
  private readonly store: RedisExecutionStore;
  private readonly emitter: StreamEmitter;
  private readonly blocking: Redis;
  private readonly prefix: string;
  private readonly log: LogFn;
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | null; delayMs: number }>();
  private listening: Promise<void> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(private readonly options: WorkflowServiceOptions) {
    const { client } = options;
    this.prefix = client.ledger.keys.prefix;
    this.log = options.log ?? (() => undefined);
    this.blocking = options.connect("workflow-inbox");
    this.blocking.on("error", () => undefined);
    this.store = new RedisExecutionStore(client.redis, this.prefix);
    this.emitter = new StreamEmitter(client.events, this.log);
    this.engine = new WorkflowEngine({
      store: this.store,
      runner: new SwarmStepRunner(client),
      emit: this.emitter.emit,
      pollMs: options.pollMs ?? 5000,
    });
  }

  /** Starts the service; resolves once every running execution has a driver. Returns it and how many it resumed. */
  static async start(options: WorkflowServiceOptions): Promise<{ service: WorkflowService; resumed: number }> {
    const service = new WorkflowService(options);
    try {
      const resumed = await service.scan();
      service.listening = service.listen();
      service.sweeper = setInterval(() => {
        service.sweep().catch((error: unknown) => service.log("workflow.sweep.failed", { error }));
      }, options.sweepMs ?? 30_000);
      service.sweeper.unref();
      service.log("workflow.service.started", { resumed });
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
      for (const retry of this.retries.values()) if (retry.timer !== null) clearTimeout(retry.timer);
      this.retries.clear();
      this.blocking.disconnect();
      await this.listening;
      await this.engine.close();
      await this.emitter.flush();
    })();
    return this.closing;
  }

  /** Gives every execution in the running set a driver (the periodic safety net: no document is read). */
  private async sweep(): Promise<void> {
    for (const id of await this.store.running()) this.drive(id);
  }

  /**
   * At start: every execution stored as running gets a driver, found by reading them
   * all rather than trusting the running set alone (records written before the set
   * existed, or restored from a backup, are found too).
   */
  private async scan(): Promise<number> {
    const redis = this.options.client.redis;
    const ids = await redis.zrange(this.store.indexKey, 0, -1);
    let running = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const texts = await redis.mget(chunk.map((id) => this.store.key(id)));
      chunk.forEach((id, j) => {
        if (statusOf(texts[j] ?? null) !== "running") return;
        running++;
        this.drive(id);
      });
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

/** The status of a stored execution, read cheaply (the engine validates it fully when it resumes it). */
function statusOf(text: string | null): string | null {
  if (text === null) return null;
  try {
    const raw = JSON.parse(text) as { status?: unknown };
    return typeof raw.status === "string" ? raw.status : null;
  } catch {
    return null;
  }
}
