import type { Redis } from "ioredis";
import {
  Ledger,
  EventStream,
  NotFoundError,
  UsageError,
  isTerminal,
  localOrigin,
  swarmRedactor,
  toResult,
  type LedgerOptions,
  type Origin,
  type SessionInfo,
  type SwarmConfig,
  type TaskRecord,
  type TaskResult,
  placements,
  readHistoryWriterState,
  type HistoryWriterState,
  InboxStore,
  PolicyAsks,
  withdrawPolicyAsk,
} from "../core/index.js";
import { summarizeTask, planWorkflow, type PlannedWorkflow, type Route } from "../supervisor/index.js";
import { readSwarmConfig } from "./swarm-config-store.js";
import { TaskWatcher } from "./task-watcher.js";
import { readStatus, type SwarmStatus } from "./status.js";
import { registerInternals } from "./internals.js";
import { TaskQueues } from "./task-queues.js";
import { requestRestart, type RestartOptions, type RestartOutcome } from "./session-restart.js";
import { TaskSubmitter, type SubmitOptions, type Submitted } from "./task-submit.js";

/** Tasks read per round trip by recentTasks(). */
const RECENT_BATCH = 25;

/**
 * What the CLI, the SDK and the TUI use to talk to a running swarm. It only
 * touches Redis: the bridge picks up what it enqueues. Its Redis connection
 * and ledger are not part of its public surface (see internals.ts): readers
 * outside this folder go through the named methods below.
 */
export class SwarmClient {
  // ES private (#), not only TypeScript's `private`: a JavaScript caller of the SDK cannot reach them either.
  readonly #redis: Redis;
  readonly #ledger: Ledger;
  readonly events: EventStream;
  private readonly queues: TaskQueues;
  private watcher: TaskWatcher | null = null;
  private readonly submitter: TaskSubmitter;
  private closed = false;

  constructor(
    redis: Redis,
    readonly config: SwarmConfig,
    private readonly connectBlocking: () => Redis,
    prefix: string,
    ledgerOptions: LedgerOptions = {},
    /** Who acts through this client and how (stamped on the events of submit and cancel): default this OS user, via the SDK. */
    readonly origin: Origin = localOrigin("sdk"),
  ) {
    this.#redis = redis;
    // The task text is stored redacted (the secret values this process knows, and the well-known shapes).
    this.#ledger = new Ledger(redis, prefix, { redact: swarmRedactor(config.agents.map((agent) => agent.env ?? {})), ...ledgerOptions });
    this.events = new EventStream(redis, this.#ledger.keys.events);
    this.queues = new TaskQueues(redis, this.#ledger.keys.prefix);
    this.submitter = new TaskSubmitter(redis, config, this.#ledger, this.queues, origin);
    registerInternals(this, { redis, ledger: this.#ledger, keys: this.#ledger.keys, connectBlocking });
  }

  static async open(redis: Redis, connectBlocking: () => Redis, prefix: string, origin?: Origin): Promise<SwarmClient> {
    const config = await readSwarmConfig(redis, new Ledger(redis, prefix).keys);
    return new SwarmClient(redis, config, connectBlocking, prefix, {}, origin);
  }

  /**
   * Checks, routes and records a task, then queues it (or ends it `rejected` when its policy refuses
   * it); an idempotency key already used gives back that task (`created: false`).
   */
  async submit(options: SubmitOptions): Promise<Submitted> {
    return this.submitter.submit(options);
  }

  /**
   * Which agent runs a task: the one named, else the supervisor's model when
   * swarm.yaml configures one (loaded only then: keyword routing stays
   * instant), else the keyword router.
   */
  async route(options: { task: string; agent?: string; needs?: readonly string[] }): Promise<Route> {
    return this.submitter.route(options);
  }

  /** A short summary of a task's result by the supervisor's model (UsageError when none is configured). */
  async summarize(id: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const record = await this.get(id);
    return summarizeTask(record, this.config, options);
  }

  /** The task broken into a workflow over this swarm's agents by the supervisor's model; validate it before running it. */
  async plan(task: string, options: { signal?: AbortSignal } = {}): Promise<PlannedWorkflow> {
    if (typeof task !== "string" || task.trim() === "") throw new UsageError("the task text is empty", { hint: 'Pass --task "…".' });
    return planWorkflow(task, this.config, options);
  }

  async get(id: string): Promise<TaskRecord> {
    const record = await this.#ledger.getChecked(id);
    if (!record) throw new NotFoundError(`no task with id ${id}`, { hint: "`claude-agent status` lists recent tasks." });
    return record;
  }

  async result(id: string, options: { wait?: boolean; signal?: AbortSignal } = {}): Promise<TaskResult> {
    if (!options.wait) return toResult(await this.get(id));
    this.watcher ??= new TaskWatcher(this.connectBlocking(), this.#ledger);
    // The watcher reads the record itself (through `get`: an unknown id is NotFound), once.
    return toResult(await this.watcher.wait(id, options.signal, (taskId) => this.get(taskId)));
  }

  /** Removes a waiting task from its queue, or asks its bridge to interrupt it. */
  async cancel(id: string, origin: Origin = this.origin): Promise<{ status: string; cancelled: boolean }> {
    const record = await this.get(id);
    if (isTerminal(record.status)) return { status: record.status, cancelled: false };
    await this.events.publish("task.cancel-requested", { taskId: id, agent: record.agent, actor: origin.actor, via: origin.via });
    await this.#ledger.requestCancel(id);
    const job = await this.queues.of(record.agent).getJob(id);
    const state = job ? await job.getState() : "unknown";
    if (job && state !== "active") {
      // A worker may take the job between our look and the removal; then the bridge, which
      // sees cancelRequested, ends it instead.
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (removed) await this.#ledger.finish(id, "cancelled", { finishedAt: new Date().toISOString(), reason: "cancelled before it started" }, record.agent);
    }
    // A task held for a person's approval (its policy's `ask`): nobody waits for that answer any more.
    const inbox = new InboxStore(this.#redis, this.#ledger.keys.prefix, this.#ledger.keys.events);
    await withdrawPolicyAsk({ asks: new PolicyAsks(this.#redis, this.#ledger.keys), inbox }, id, `task ${id} was cancelled`);
    return { status: (await this.get(id)).status, cancelled: true };
  }

  /**
   * Runs an ended task again (client/task-retry.ts): a new task with the same agent, text and
   * options. Asked twice, it gives back the first retry (`created: false`). The failed task's
   * inbox item, if still open, is answered with the new task's id.
   */
  async retry(id: string, options: { origin?: Origin; reason?: string } = {}): Promise<Submitted> {
    return this.submitter.retry(await this.get(id), options);
  }

  async status(): Promise<SwarmStatus> {
    return readStatus(this.#redis, this.#ledger, this.config, (agent) => this.queues.of(agent));
  }

  /** How the daemon's history writer is doing: ok or degraded, how far behind the event stream (docs/HISTORY.md). */
  async historyWriter(): Promise<HistoryWriterState> {
    return readHistoryWriterState(this.#redis, this.#ledger.keys);
  }

  async sessions(): Promise<SessionInfo[]> {
    return (await this.status()).sessions;
  }

  /** One round trip to the swarm's Redis (rejects when it cannot be reached). */
  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  /** The last `scan` tasks submitted, newest first, read a few at a time (a record gone meanwhile is skipped). */
  async *recentTasks(scan = 50): AsyncGenerator<TaskRecord> {
    const ids = await this.#ledger.list(scan);
    for (let i = 0; i < ids.length; i += RECENT_BATCH) {
      const records = await Promise.all(ids.slice(i, i + RECENT_BATCH).map((id) => this.#ledger.get(id)));
      for (const record of records) if (record) yield record;
    }
  }

  /** Each task's text as stored (redacted), null for a task that is gone; one round trip per task, run together. */
  async storedTaskTexts(ids: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(ids.map((id) => this.#redis.hget(this.#ledger.keys.task(id), "task")));
  }

  /**
   * Asks the bridge to restart a session (it ends the session's program and
   * starts it again, as after a crash), then waits up to `waitMs` for the
   * bridge to have ended it. NotFoundError for a session this swarm does not have.
   */
  async restartSession(session: string, options: RestartOptions = {}): Promise<RestartOutcome> {
    const known = (await this.sessions()).some((s) => s.name === session);
    if (!known) throw new NotFoundError(`no session named "${session}"`, { hint: "`claude-agent status` lists the sessions." });
    const host = placements(this.config).find((placed) => placed.session === session)?.host ?? null;
    return requestRestart(this.#redis, this.#ledger.keys, this.events, session, { origin: this.origin, host, ...options });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    this.submitter.close();
    await this.queues.close();
  }

  /** Whether the task's BullMQ job exists (in any state). */
  jobExists(record: TaskRecord): Promise<boolean> {
    return this.queues.exists(record);
  }

  /** The task's job when its queue gave up on it (state `failed`): BullMQ's reason and when; else null. */
  abandonedJob(record: TaskRecord): Promise<{ reason: string; failedAt: number } | null> {
    return this.queues.abandoned(record);
  }

  /** Puts an accepted task's job (back) on its queue; a no-op if the job exists. */
  requeue(record: TaskRecord): Promise<void> {
    return this.queues.enqueue(record);
  }
}
