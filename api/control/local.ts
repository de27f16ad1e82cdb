import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError, toResult, type SwarmEvent, type TaskRecord, type TaskResult } from "../../core/index.js";
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

  async submit(body: SubmitBody, idempotencyKey?: string) {
    return this.client.submit({ ...body, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  async task(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskView> {
    if (!waitSeconds) return taskView(await this.client.get(id));
    const timeout = AbortSignal.timeout(waitSeconds * 1000);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      await this.client.result(id, { wait: true, signal: both });
    } catch (error) {
      if (!both.aborted) throw error;
    }
    return taskView(await this.client.get(id));
  }

  /** The task's result (no task text), without re-reading the record after a wait: the long-poll's fast path. */
  async result(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskResult> {
    if (!waitSeconds) return toResult(await this.client.get(id));
    const timeout = AbortSignal.timeout(waitSeconds * 1000);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await this.client.result(id, { wait: true, signal: both });
    } catch (error) {
      if (!both.aborted) throw error;
    }
    return toResult(await this.client.get(id));
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

  async cancelTask(id: string) {
    return { id, ...(await this.client.cancel(id)) };
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
      params: workflow.params.map((p) => ({ name: p.name, required: p.required, ...(p.default !== undefined ? { default: p.default } : {}) })),
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
    const timeout = AbortSignal.timeout(waitSeconds * 1000);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let last: ExecutionState | null = null;
    try {
      for await (const state of this.workflows.watch(id, both)) last = state;
    } catch (error) {
      if (!both.aborted) throw error;
    }
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
      return parseWorkflow(text, { file: `${source.example}.yaml`, agents: this.workflows.agents, labels: this.workflows.labels });
    }
    if (source.yaml !== undefined) return parseWorkflow(source.yaml, { file: "<posted>", agents: this.workflows.agents, labels: this.workflows.labels });
    return this.workflows.fromObject(source.document, "<posted>");
  }

  private async agentView(agent: AgentStatus): Promise<AgentView> {
    return { ...agent, paused: await isAgentPaused(this.client, agent.name) };
  }
}

function taskView(record: TaskRecord): TaskView {
  return { ...toResult(record), task: record.task, routedBy: record.routedBy, priority: record.priority };
}

export function executionView(state: ExecutionState): ExecutionView {
  const { definition, ...rest } = state;
  return { ...rest, definition: { name: definition.name, steps: definition.steps.map((s) => s.id) } } as ExecutionView;
}

function toEvent(id: string, fields: string[]): SwarmEvent {
  const event: Record<string, string> = { id };
  for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
  return event as unknown as SwarmEvent;
}
