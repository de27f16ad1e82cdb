import type { Redis } from "ioredis";
import {
  Acknowledger,
  inboxIdFor,
  InboxStore,
  newTaskId,
  parseNeeds,
  UsageError,
  type Ledger,
  type Origin,
  type SwarmConfig,
  type TaskRecord,
} from "../core/index.js";
import { routeByLlm, routeTask, type Route } from "../supervisor/index.js";
import { checkSubmitOptions, gateOptions, submitVerdict } from "./submit-checks.js";
import { checkTaskEnv } from "./task-env.js";
import type { TaskQueues } from "./task-queues.js";
import { retryOptions } from "./task-retry.js";

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
 * A SwarmClient's submissions: a new task checked, routed, recorded in the ledger and put on its
 * agent's queue (or ended `rejected` by its policy), a repeat of an idempotency key mended when the
 * first submit never reached the queue, and the replicas' confirmation when swarm.yaml asks for it.
 * Apart from the client's reads and controls because these steps, in this order, are what makes a
 * submit safe to repeat; the replica connection is only ever needed here.
 */
export class TaskSubmitter {
  private readonly acknowledger: Acknowledger | null;

  constructor(
    private readonly redis: Redis,
    private readonly config: SwarmConfig,
    private readonly ledger: Ledger,
    private readonly queues: TaskQueues,
    /** Who submits when the options do not say. */
    private readonly origin: Origin,
  ) {
    const acknowledge = config.redis?.acknowledge;
    this.acknowledger = acknowledge ? new Acknowledger(redis, ledger.keys, acknowledge) : null;
  }

  async submit(options: SubmitOptions): Promise<Submitted> {
    checkSubmitOptions(options, this.config);
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
    const { id, created } = await this.ledger.create(record, options.origin ?? this.origin);
    if (created && !verdict.allowed) {
      // Refused before anything reaches a pane: recorded, never queued.
      await this.ledger.finish(id, "rejected", { finishedAt: new Date().toISOString(), reason: verdict.reason }, record.agent);
    } else if (created) await this.queues.enqueue(record);
    const stored = created ? record : await this.ledger.get(id);
    // A repeated key for a task that never reached its queue (the first submitter died, or Redis did,
    // between the ledger write and the queue add): put it there now rather than wait for the sweeper.
    if (!created && stored && stored.status === "queued" && !stored.dispatch && !(await this.queues.exists(stored))) await this.queues.enqueue(stored);
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

  /** SwarmClient.route: the agent named, else the supervisor's model, else the keyword router. */
  async route(options: { task: string; agent?: string; needs?: readonly string[] }): Promise<Route> {
    // Labels decide among the agents that have them; the supervisor's model is not asked then.
    const needs = options.needs && options.needs.length > 0 ? parseNeeds(options.needs, "needs") : [];
    if (options.agent !== undefined || needs.length > 0 || !this.config.supervisor?.llm) return routeTask(options.task, this.config, options.agent, needs);
    return routeByLlm(options.task, this.config);
  }

  /** SwarmClient.retry, given the record of the ended task. */
  async retry(ended: TaskRecord, options: { origin?: Origin; reason?: string }): Promise<Submitted> {
    const origin = options.origin ?? this.origin;
    const submitted = await this.submit({ ...retryOptions(ended, this.config), origin });
    const inbox = new InboxStore(this.redis, this.ledger.keys.prefix, this.ledger.keys.events);
    const item = await inbox.get(inboxIdFor(`task:${ended.id}`));
    if (item?.status === "open") {
      const reason = [options.reason, `retried as ${submitted.id}`].filter(Boolean).join("; ");
      // Answered by someone else meanwhile: their answer stands, and this retry is the same task (its key).
      await inbox.answer(item.id, { decision: "approve", by: origin.actor, reason }).catch((error: unknown) => {
        if (!(error instanceof UsageError)) throw error;
      });
    }
    return submitted;
  }

  close(): void {
    this.acknowledger?.close();
  }
}
