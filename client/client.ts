import type { Redis } from "ioredis";
import {
  Acknowledger,
  expandForPolicy,
  Ledger,
  EventStream,
  NotFoundError,
  UsageError,
  parseNeeds,
  checkPolicy,
  checkTaskText,
  compilePolicy,
  limitsOf,
  isTerminal,
  localOrigin,
  newTaskId,
  swarmRedactor,
  toResult,
  MAX_GATE_RETRIES,
  type AgentConfig,
  type LedgerOptions,
  type Origin,
  type PolicyVerdict,
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
  inboxIdFor,
} from "../core/index.js";
import { routeByLlm, routeTask, summarizeTask, planWorkflow, type PlannedWorkflow, type Route } from "../supervisor/index.js";
import { readSwarmConfig } from "./swarm-config-store.js";
import { TaskWatcher } from "./task-watcher.js";
import { readStatus, type SwarmStatus } from "./status.js";
import { checkTaskEnv } from "./task-env.js";
import { retryOptions } from "./task-retry.js";
import { registerInternals } from "./internals.js";
import { LOWEST_PRIORITY, TaskQueues } from "./task-queues.js";
import { requestRestart, type RestartOptions, type RestartOutcome } from "./session-restart.js";

export interface SubmitOptions {
  readonly task: string;
  readonly agent?: string;
  /** Time limit in seconds; defaults to the agent's `timeout`. */
  readonly timeout?: number;
  /** BullMQ priority: 1 is the most urgent; omitted means first come, first served. */
  readonly priority?: number;
  readonly idempotencyKey?: string;
  /** Agent programs: start a new conversation instead of continuing the session's last one. */
  readonly fresh?: boolean;
  /** A command that must exit 0 in the agent's working tree before the task counts as completed (replaces the agent's `gate`). */
  readonly gate?: string;
  /** Agent programs: how often a failing gate's output goes back to the agent (replaces the agent's `gate_retries`). */
  readonly gateRetries?: number;
  /** Worktree agents: commit the task's changes (replaces the agent's `commit`). */
  readonly commit?: boolean;
  /**
   * Variables exported to this task's process only (names `CA_[A-Z0-9_]+`, see task-env.ts):
   * a shell agent's task reads them as `"${CA_…}"`, so values never become part of its
   * script. Agent programs ignore them.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Who submits it, for the audit log; default: the client's origin. */
  readonly origin?: Origin;
  /**
   * Labels the agent must have (`submit --needs gpu,linux`): only an agent whose effective labels
   * include every one may take it (core/hosts/labels.ts); none → UsageError listing each agent's labels.
   */
  readonly needs?: readonly string[];
}

export interface Submitted {
  readonly id: string;
  readonly agent: string;
  readonly routedBy: string;
  /** False when the idempotency key named an existing task. */
  readonly created: boolean;
  /** Set when the task was refused at submit (ended `rejected`, never queued): why. */
  readonly rejected?: string;
  /** With `redis.acknowledge`: how many replicas confirmed they hold the task (at least the number asked for). */
  readonly replicas?: number;
}

/**
 * The policy verdict on a task at submit: shell tasks are commands, checked
 * against the safe defaults and the agent's own `policy`. An agent program's
 * task is a prompt, not a command (the langchain agent checks each command
 * its tool runs instead). A gate is a command whatever the runtime. The
 * bridge checks both again before the dispatch.
 */
async function submitVerdict(task: string, gate: string | null, agent: AgentConfig, env?: Readonly<Record<string, string>>): Promise<PolicyVerdict> {
  const policy = compilePolicy(agent.policy ?? {});
  // A command an `ask` rule matches is queued: the bridge holds it for a person's approval before it runs.
  const queued = async (text: string): Promise<PolicyVerdict> => {
    const verdict = await checkPolicy(text, policy);
    return verdict.ask ? { allowed: true } : verdict;
  };
  let verdict: PolicyVerdict = agent.runtime === "shell" ? await queued(task) : { allowed: true };
  // The task's variables hold values the policy must still see (`rm -rf "${CA_PARAM_DIR?}"` with "/").
  if (verdict.allowed && agent.runtime === "shell" && env !== undefined) verdict = await queued(expandForPolicy(task, env));
  if (!verdict.allowed || gate === null) return verdict;
  const gated = await queued(gate);
  return gated.allowed ? gated : { ...gated, reason: `its gate was ${gated.reason}: ${gate}` };
}

/**
 * The task text every entry point submits (CLI, SDK, workflow steps, a future
 * HTTP API): not empty, no NUL byte (bash drops it), valid Unicode, and within
 * the swarm's `limits.task_bytes`.
 */
function checkTaskInput(task: unknown, config: SwarmConfig): asserts task is string {
  checkTaskText(task, { limitBytes: limitsOf(config).taskBytes });
}

/** The gate and commit options of a task, checked against its agent (a shell agent has nothing to re-prompt). */
function gateOptions(options: SubmitOptions, agent: AgentConfig): Partial<TaskRecord> {
  const out: Partial<TaskRecord> = {};
  if (options.gate !== undefined) {
    if (typeof options.gate !== "string" || options.gate.trim() === "")
      throw new UsageError(`--gate: expected a shell command, got ${JSON.stringify(options.gate)}`);
    out.gate = options.gate.trim();
  }
  if (options.gateRetries !== undefined) {
    const n = options.gateRetries;
    if (!(Number.isInteger(n) && n >= 0 && n <= MAX_GATE_RETRIES))
      throw new UsageError(`--gate-retries: expected a whole number from 0 to ${MAX_GATE_RETRIES}, got ${JSON.stringify(n)}`);
    if (n > 0 && agent.runtime === "shell") {
      throw new UsageError(
        `--gate-retries: agent "${agent.name}" is a shell agent; gate retries re-prompt an agent program, and a shell would only run the same command again`,
      );
    }
    out.gateRetriesAllowed = n;
  }
  if (options.commit !== undefined) {
    if (typeof options.commit !== "boolean") throw new UsageError(`--commit: expected true or false, got ${JSON.stringify(options.commit)}`);
    if (options.commit && !agent.worktree)
      throw new UsageError(`--commit: agent "${agent.name}" has no worktree; commits need \`worktree: true\` in swarm.yaml`);
    out.autoCommit = options.commit;
  }
  return out;
}

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
  private readonly acknowledger: Acknowledger | null;
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
    const acknowledge = config.redis?.acknowledge;
    this.acknowledger = acknowledge ? new Acknowledger(redis, this.#ledger.keys, acknowledge) : null;
    registerInternals(this, { redis, ledger: this.#ledger, keys: this.#ledger.keys, connectBlocking });
  }

  static async open(redis: Redis, connectBlocking: () => Redis, prefix: string, origin?: Origin): Promise<SwarmClient> {
    const config = await readSwarmConfig(redis, new Ledger(redis, prefix).keys);
    return new SwarmClient(redis, config, connectBlocking, prefix, {}, origin);
  }

  async submit(options: SubmitOptions): Promise<Submitted> {
    checkTaskInput(options.task, this.config);
    if (options.timeout !== undefined && !(Number.isInteger(options.timeout) && options.timeout > 0)) {
      throw new UsageError(`--timeout: expected a positive whole number of seconds, got ${JSON.stringify(options.timeout)}`);
    }
    if (options.priority !== undefined && !(Number.isInteger(options.priority) && options.priority >= 1 && options.priority <= LOWEST_PRIORITY)) {
      throw new UsageError(`--priority: expected a whole number from 1 (most urgent) to ${LOWEST_PRIORITY}, got ${JSON.stringify(options.priority)}`);
    }
    const env = checkTaskEnv(options.env);
    const route = await this.route(options);
    const agent = this.config.agents.find((a) => a.name === route.agent)!;
    const record: TaskRecord = {
      id: newTaskId(),
      agent: route.agent,
      session: null,
      status: "queued",
      exitCode: null,
      output: "",
      outputFile: null,
      submittedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      attempts: 0,
      task: options.task,
      timeoutSec: options.timeout ?? agent.timeout,
      priority: options.priority ?? 0,
      idempotencyKey: options.idempotencyKey ?? null,
      routedBy: route.routedBy,
      dispatch: null,
      pane: null,
      cancelRequested: false,
      ...(options.fresh ? { fresh: true } : {}),
      ...gateOptions(options, agent),
      ...(env !== undefined && { env }),
    };
    const verdict = await submitVerdict(options.task, record.gate ?? agent.gate, agent, env);
    const { id, created } = await this.#ledger.create(record, options.origin ?? this.origin);
    if (created && !verdict.allowed) {
      // Refused before anything reaches a pane: recorded, never queued.
      await this.#ledger.finish(id, "rejected", { finishedAt: new Date().toISOString(), reason: verdict.reason }, record.agent);
    } else if (created) await this.queues.enqueue(record);
    const stored = created ? record : await this.#ledger.get(id);
    // A repeated key for a task that never reached its queue (the first submitter died, or Redis did,
    // between the ledger write and the queue add): put it there now rather than wait for the sweeper.
    if (!created && stored && stored.status === "queued" && !stored.dispatch && !(await this.jobExists(stored))) await this.queues.enqueue(stored);
    const rejected = created ? (verdict.allowed ? undefined : verdict.reason) : stored?.status === "rejected" ? (stored.reason ?? "rejected") : undefined;
    // Accepted only once replicas hold it, when swarm.yaml asks (an idempotent repeat too: the first submit may have failed here).
    const replicas = this.acknowledger ? await this.acknowledger.confirm(id) : undefined;
    return {
      id,
      agent: stored?.agent ?? route.agent,
      routedBy: stored?.routedBy ?? route.routedBy,
      created,
      ...(rejected !== undefined ? { rejected } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
    };
  }

  /**
   * Which agent runs a task: the one named, else the supervisor's model when
   * swarm.yaml configures one (loaded only then: keyword routing stays
   * instant), else the keyword router.
   */
  async route(options: { task: string; agent?: string; needs?: readonly string[] }): Promise<Route> {
    // Labels decide among the agents that have them; the supervisor's model is not asked then.
    const needs = options.needs && options.needs.length > 0 ? parseNeeds(options.needs, "needs") : [];
    if (options.agent !== undefined || needs.length > 0 || !this.config.supervisor?.llm) return routeTask(options.task, this.config, options.agent, needs);
    return routeByLlm(options.task, this.config);
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
    const origin = options.origin ?? this.origin;
    const submitted = await this.submit({ ...retryOptions(await this.get(id), this.config), origin });
    const inbox = new InboxStore(this.#redis, this.#ledger.keys.prefix, this.#ledger.keys.events);
    const item = await inbox.get(inboxIdFor(`task:${id}`));
    if (item?.status === "open") {
      const reason = [options.reason, `retried as ${submitted.id}`].filter(Boolean).join("; ");
      // Answered by someone else meanwhile: their answer stands, and this retry is the same task (its key).
      await inbox.answer(item.id, { decision: "approve", by: origin.actor, reason }).catch((error: unknown) => {
        if (!(error instanceof UsageError)) throw error;
      });
    }
    return submitted;
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
    this.acknowledger?.close();
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
