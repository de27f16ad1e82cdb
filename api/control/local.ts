import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError, toResult, type Origin, type SwarmEvent, type TaskRecord, type TaskResult } from "../../core/index.js";
import { isAgentPaused, listTasks, setAgentPaused, type AgentStatus, type SwarmClient, clientInternals } from "../../client/index.js";
import { WorkflowClient, parseWorkflow, type ExecutionState, type Workflow } from "../../workflows/index.js";
import { eventPredicate } from "../events/filter.js";
import type { SubmitBody } from "../schemas/tasks.js";
import type { WorkflowSource } from "../schemas/workflows.js";
import { examplesDir, listExamples } from "./examples.js";
import type { AgentView, ControlPlane, EventList, EventQuery, ExecutionSummary, ExecutionView, TaskView } from "./types.js";

/**
 * The control plane over the swarm's own client: what the HTTP routes and
 * the in-daemon MCP tools call. It holds no state of its own.
 */
export class LocalControl implements ControlPlane {
  readonly workflows: WorkflowClient;

  constructor(readonly client: SwarmClient) {
    this.workflows = new WorkflowClient(client);
  }

  /** `origin`: who asks (a token's name) and through what, stamped on the task's submit event for the audit log. */
  async submit(body: SubmitBody, idempotencyKey?: string, origin?: Origin) {
    return this.client.submit({ ...body, ...(idempotencyKey ? { idempotencyKey } : {}), ...(origin ? { origin } : {}) });
  }

  async task(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskView> {
    if (waitSeconds) await this.result(id, waitSeconds, signal);
    return taskView(await this.client.get(id));
  }

  /** The task's result (no task text), without re-reading the record after a wait: the long-poll's fast path. */
  async result(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskResult> {
    if (!waitSeconds) return toResult(await this.client.get(id));
    const waited = await withDeadline(waitSeconds, signal, (both) => this.client.result(id, { wait: true, signal: both }));
    return waited ?? toResult(await this.client.get(id));
  }

  async listTasks(query: { agent?: string; status?: string; limit?: number; cursor?: string }) {
    const page = await listTasks(this.client, query as Parameters<typeof listTasks>[1]);
    return {
      tasks: page.tasks.map((r) => ({
        id: r.id,
        agent: r.agent,
        status: r.status,
        exitCode: r.exitCode,
        submittedAt: r.submittedAt,
        finishedAt: r.finishedAt,
        task: r.task.slice(0, 200),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async retryTask(id: string, origin?: Origin) {
    const { id: newId, agent, routedBy, created } = await this.client.retry(id, origin ? { origin } : {});
    return { id: newId, agent, routedBy, created };
  }

  async cancelTask(id: string, origin?: Origin) {
    return { id, ...(await this.client.cancel(id, origin)) };
  }

  async status() {
    const status = await this.client.status();
    return { agents: await Promise.all(status.agents.map((a) => this.agentView(a))), daemon: status.daemon };
  }

  async agent(name: string): Promise<AgentView> {
    const status = await this.client.status();
    const agent = status.agents.find((a) => a.name === name);
    if (!agent) throw new NotFoundError(`unknown agent "${name}"`);
    return this.agentView(agent);
  }

  async setPaused(agent: string, paused: boolean): Promise<AgentView> {
    await setAgentPaused(this.client, agent, paused);
    return this.agent(agent);
  }

  /** A request the bridge carries out (it kills the session and starts it again); waits up to 10 s for it to act. */
  async restartSession(session: string) {
    const status = await this.client.status();
    if (!status.sessions.some((s) => s.name === session)) throw new NotFoundError(`unknown session "${session}"`);
    const { ended } = await this.client.restartSession(session, { reason: "restart requested through the API" });
    return {
      session,
      restarted: ended,
      message: ended ? `killed ${session}; the bridge starts it again` : "the restart is queued; the bridge has not acted on it yet",
    };
  }

  async validateWorkflow(source: WorkflowSource) {
    const workflow = this.load(source);
    return {
      valid: true as const,
      workflow: workflow.name,
      steps: workflow.steps.map((s) => s.id),
      params: workflow.params.map((p) => ({
        name: p.name,
        required: p.required,
        ...(p.default !== undefined ? { default: p.default } : {}),
        ...(p.description !== undefined ? { description: p.description } : {}),
      })),
    };
  }

  async runWorkflow(source: WorkflowSource, params: Readonly<Record<string, string | number | boolean>> = {}) {
    const workflow = this.load(source);
    const given = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, String(value)]));
    return executionView(await this.workflows.start(workflow, given));
  }

  async examples() {
    return listExamples();
  }

  async executions(): Promise<ExecutionSummary[]> {
    return (await this.workflows.list()).map((s) => ({
      id: s.id,
      workflow: s.workflow,
      status: s.status,
      createdAt: s.createdAt,
      finishedAt: s.finishedAt,
      waitingApproval: Object.entries(s.steps)
        .filter(([, step]) => step.status === "waiting-approval")
        .map(([id]) => id),
    }));
  }

  async execution(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<ExecutionView> {
    if (!waitSeconds) return executionView(await this.workflows.get(id));
    let last: ExecutionState | null = null;
    await withDeadline(waitSeconds, signal, async (both) => {
      for await (const state of this.workflows.watch(id, both)) last = state;
    });
    return executionView(last ?? (await this.workflows.get(id)));
  }

  async cancelExecution(id: string, reason?: string) {
    return executionView(await this.workflows.cancel(id, reason));
  }

  async approve(id: string, step: string) {
    return executionView(await this.workflows.approve(id, step));
  }

  async reject(id: string, step: string, reason?: string) {
    return executionView(await this.workflows.reject(id, step, reason));
  }

  async events(query: EventQuery) {
    const matches = eventPredicate(query);
    const limit = query.limit ?? 100;
    const key = this.client.events.key;
    const lastId = await this.client.events.lastId();
    let events: SwarmEvent[];
    if (query.after) {
      // Oldest first after the id: what a client that saw `after` missed.
      events = [];
      let from = `(${query.after}`;
      while (events.length < limit) {
        const batch = (await clientInternals(this.client).redis.xrange(key, from, "+", "COUNT", 500)).map(([id, fields]) => toEvent(id, fields));
        events.push(...batch.filter(matches));
        if (batch.length < 500) break;
        from = `(${batch.at(-1)!.id}`;
      }
      events = events.slice(0, limit);
    } else {
      events = (await this.client.events.recent(Math.max(limit * 5, 500))).filter(matches).slice(-limit);
    }
    return { events: events as EventList["events"], lastId };
  }

  async close(): Promise<void> {
    await this.workflows.close();
  }

  private load(source: WorkflowSource): Workflow {
    if (source.example !== undefined) {
      const file = join(examplesDir(), `${source.example}.yaml`);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        throw new NotFoundError(`no shipped example "${source.example}"`, { hint: "GET /v1/workflows/examples lists them." });
      }
      // The whole path: an example's relative paths (its output_schema files) are relative to its own folder, not to the daemon's.
      return parseWorkflow(text, { file, agents: this.workflows.agents, labels: this.workflows.labels });
    }
    if (source.yaml !== undefined) return parseWorkflow(source.yaml, { file: "<posted>", agents: this.workflows.agents, labels: this.workflows.labels });
    return this.workflows.fromObject(source.document, "<posted>");
  }

  private async agentView(agent: AgentStatus): Promise<AgentView> {
    return { ...agent, paused: await isAgentPaused(this.client, agent.name) };
  }
}

/**
 * Runs `wait` with a signal that aborts after `seconds` or with `outer` (the client went away);
 * undefined when it was cut short that way. One controller and one timer, cleared as soon as the
 * wait ends: AbortSignal.timeout would keep its timer for the whole wait, and AbortSignal.any
 * costs more than the rest of a long-poll's set-up (a CPU profile of the daemon).
 */
async function withDeadline<T>(seconds: number, outer: AbortSignal | undefined, wait: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`waited ${seconds} s`)), seconds * 1000);
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  try {
    return await wait(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return undefined;
    throw error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
  }
}

function taskView(record: TaskRecord): TaskView {
  return { ...toResult(record), task: record.task, routedBy: record.routedBy, priority: record.priority };
}

export function executionView(state: ExecutionState): ExecutionView {
  const { definition, ...rest } = state;
  const graph = definition.steps.map((step) => ({
    id: step.id,
    kind: step.kind,
    dependsOn: [...step.dependsOn],
    agent: step.kind === "task" ? (step.agent ?? null) : null,
  }));
  return { ...rest, definition: { name: definition.name, steps: definition.steps.map((s) => s.id), graph } } as ExecutionView;
}

function toEvent(id: string, fields: string[]): SwarmEvent {
  const event: Record<string, string> = { id };
  for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
  return event as unknown as SwarmEvent;
}
