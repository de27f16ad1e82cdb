import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, EventStream, InboxStore, NotFoundError, readTextFile, redactValues, type InboxAnswer } from "../core/index.js";
import { clientInternals, type SwarmClient } from "../client/index.js";
import { createExecution, WorkflowEngine } from "./engine.js";
import { StreamEmitter } from "./events.js";
import { notifyDaemon } from "./inbox.js";
import { agentLabels, parseWorkflow, workflowFromObject } from "./parse.js";
import { RedisExecutionStore } from "./redis-store.js";
import { shellWarnings } from "./shell-warnings.js";
import { SwarmStepRunner } from "./swarm-runner.js";
import type { ExecutionState, Workflow } from "./types.js";

/** How long a watcher goes without re-reading the execution when no event about it comes. */
const REREAD_MS = 1000;

/**
 * Workflows as the CLI and the SDK see them: validate against the running
 * swarm's agents, request an execution (written to Redis, then the daemon is
 * woken up: see inbox.ts), watch one, approve, reject or cancel. It never runs
 * steps itself; the swarm's daemon does (service.ts).
 */
export class WorkflowClient {
  readonly store: RedisExecutionStore;
  /** For approvals, rejections and cancels, which are store updates: it never drives an execution. */
  private readonly engine: WorkflowEngine;
  private readonly emitter: StreamEmitter;

  constructor(private readonly swarm: SwarmClient) {
    const { redis, keys } = clientInternals(swarm);
    this.store = new RedisExecutionStore(redis, keys.prefix);
    this.emitter = new StreamEmitter(swarm.events);
    const inbox = new InboxStore(redis, keys.prefix, keys.events);
    this.engine = new WorkflowEngine({ store: this.store, runner: new SwarmStepRunner(swarm), emit: this.emitter.emit, inbox });
  }

  /** Names of the running swarm's agents, which steps are checked against. */
  get agents(): string[] {
    return this.swarm.config.agents.map((agent) => agent.name);
  }

  /** Each agent's effective labels, which steps with `needs:` are checked against. */
  get labels(): ReadonlyMap<string, readonly string[]> {
    return agentLabels(this.swarm.config);
  }

  /**
   * Reads and validates a workflow file (ConfigError lists every problem), including
   * templates that a shell agent of this swarm would refuse to run (shell-warnings.ts):
   * better refused now than after the steps before them have run.
   */
  load(file: string): Workflow {
    return this.checkShell(parseWorkflow(readWorkflowFile(file), { file, agents: this.agents, labels: this.labels }), file);
  }

  /** Validates a workflow given as an object (the YAML's shape: `depends_on`, `on_failure`, …). */
  fromObject(raw: unknown, name = "<inline>"): Workflow {
    return this.checkShell(workflowFromObject(raw, { file: name, agents: this.agents, labels: this.labels }), name);
  }

  private checkShell(workflow: Workflow, file: string): Workflow {
    const runner = new SwarmStepRunner(this.swarm);
    const problems = shellWarnings(workflow, (target) => runner.resolve(target).mode);
    if (problems.length > 0) {
      throw new ConfigError(
        problems.map((p) => `${file}: ${p}`),
        {
          hint: "A shell step gets each value as an environment variable; see docs/WORKFLOWS.md (Templates in shell steps).",
          context: { file },
        },
      );
    }
    return workflow;
  }

  /** Writes the execution and wakes the daemon up; the daemon starts it (now, or when it next starts). */
  async start(workflow: Workflow, params: Readonly<Record<string, string>> = {}): Promise<ExecutionState> {
    const state = await createExecution(this.store, workflow, params);
    const { actor, via } = this.swarm.origin;
    // Events are stored and shown: params go out redacted, like `workflow show` prints them.
    this.emitter.emit("workflow.requested", { executionId: state.id, workflow: state.workflow, params: redactValues(state.params), actor, via });
    await this.notify(state.id);
    return state;
  }

  async get(id: string): Promise<ExecutionState> {
    const state = await this.store.get(id);
    if (state === null) {
      throw new NotFoundError(`no workflow execution "${id}"`, {
        hint: "`claude-agent workflow list` shows the executions.",
        context: { executionId: id },
      });
    }
    return state;
  }

  list(): Promise<ExecutionState[]> {
    return this.store.list();
  }

  /** The newest `limit` executions as stored JSON, unparsed (see RedisExecutionStore.recentDocuments). */
  recentDocuments(limit: number): Promise<(string | null)[]> {
    return this.store.recentDocuments(limit);
  }

  async approve(id: string, step: string): Promise<ExecutionState> {
    await this.get(id);
    const state = await this.engine.approve(id, step, this.swarm.origin);
    await this.notify(id);
    return state;
  }

  /** Applies an inbox answer (checked against the item by the caller) to a waiting step. */
  async answerStep(id: string, step: string, answer: InboxAnswer): Promise<ExecutionState> {
    await this.get(id);
    const state = await this.engine.answer(id, step, answer, this.swarm.origin);
    await this.notify(id);
    return state;
  }

  /** Applies an inbox answer (checked against the item by the caller) to a run paused at its budget. */
  async answerBudget(id: string, item: string, answer: InboxAnswer): Promise<ExecutionState> {
    await this.get(id);
    const state = await this.engine.answerBudget(id, item, answer, this.swarm.origin);
    await this.notify(id);
    return state;
  }

  async reject(id: string, step: string, reason?: string): Promise<ExecutionState> {
    await this.get(id);
    const state = await this.engine.reject(id, step, reason === undefined ? "rejected" : `rejected: ${reason}`, this.swarm.origin);
    await this.notify(id);
    return state;
  }

  /** Cancels the execution and the tasks of its open steps; returns the state (unchanged if it had ended). */
  async cancel(id: string, reason = "cancelled by a user"): Promise<ExecutionState> {
    await this.get(id);
    const state = await this.engine.cancel(id, reason, this.swarm.origin);
    await this.notify(id);
    return state;
  }

  /**
   * The execution's state now, then again after each event about it (at least
   * every second), until it ends (the last one yielded) or `signal` aborts.
   */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<ExecutionState> {
    const blocking = clientInternals(this.swarm).redis.duplicate();
    blocking.on("error", () => undefined);
    const stream = new EventStream(blocking, this.swarm.events.key);
    const onAbort = (): void => blocking.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let cursor = await this.swarm.events.lastId();
      for (;;) {
        const state = await this.get(id);
        yield state;
        if (state.status !== "running" || signal?.aborted) return;
        const deadline = Date.now() + REREAD_MS;
        let news = false;
        while (!news && !signal?.aborted && Date.now() < deadline) {
          const events = await stream.read(cursor, Math.max(1, deadline - Date.now())).catch(async () => {
            if (!signal?.aborted) await sleep(100);
            return [];
          });
          for (const event of events) {
            cursor = event.id;
            if ((event as { executionId?: string }).executionId === id) news = true;
          }
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      blocking.disconnect();
    }
  }

  /** Resolves with the final state once the execution ends; rejects with the signal's reason on abort. */
  async wait(id: string, options: { signal?: AbortSignal } = {}): Promise<ExecutionState> {
    let last: ExecutionState | null = null;
    for await (const state of this.watch(id, options.signal)) last = state;
    options.signal?.throwIfAborted();
    if (last === null) throw new NotFoundError(`no workflow execution "${id}"`);
    return last;
  }

  /** Waits for the events still being published (approve and cancel publish some). */
  async close(): Promise<void> {
    await this.emitter.flush();
  }

  private notify(id: string): Promise<void> {
    const { redis, keys } = clientInternals(this.swarm);
    return notifyDaemon(redis, keys.prefix, id);
  }
}

/** A workflow file's text; missing, a folder, binary, not UTF-8 or over 4 MiB is a UsageError naming the file. */
export function readWorkflowFile(file: string): string {
  return readTextFile(file, { what: "workflow file", maxBytes: 4 * 1024 * 1024 });
}
