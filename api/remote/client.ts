/**
 * The control plane over HTTP: what the SDK's remote mode
 * (`connect({ url, token })`), `claude-agent mcp --url` and the CLI's
 * `--url` use on a machine without access to the swarm's Redis. Errors come
 * back as the project's typed errors (a 404 is NotFoundError, a 400 a
 * UsageError listing the fields), so callers handle them as in local mode.
 */
import { ClaudeAgentError, NotFoundError, NotRunningError, UsageError } from "../../core/index.js";
import type {
  AgentView,
  Cancelled,
  ControlPlane,
  EventList,
  EventQuery,
  Example,
  ExecutionSummary,
  ExecutionView,
  Restarted,
  StatusView,
  Submitted,
  TaskPageView,
  TaskView,
  Validated,
} from "../control/types.js";
import type { SubmitBody } from "../schemas/tasks.js";
import type { WorkflowSource } from "../schemas/workflows.js";

/** A refusal for lack of a token or scope (401/403). Exit code 2: the request itself was wrong for this token. */
export class AccessError extends ClaudeAgentError {
  readonly exitCode = 2;
}

export interface RemoteOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:7433`. */
  readonly url: string;
  readonly token: string;
}

export class RemoteControl implements ControlPlane {
  private readonly base: string;

  constructor(private readonly options: RemoteOptions) {
    this.base = options.url.replace(/\/+$/, "");
  }

  submit(body: SubmitBody, idempotencyKey?: string): Promise<Submitted> {
    return this.request("POST", "/v1/tasks", body, idempotencyKey ? { "idempotency-key": idempotencyKey } : {});
  }
  task(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskView> {
    return this.request("GET", `/v1/tasks/${encodeURIComponent(id)}${waitSeconds ? `?wait=${waitSeconds}` : ""}`, undefined, {}, signal);
  }
  listTasks(query: { agent?: string; status?: string; limit?: number; cursor?: string }): Promise<TaskPageView> {
    return this.request("GET", `/v1/tasks${queryString(query)}`);
  }
  retryTask(id: string): Promise<Submitted> {
    return this.request("POST", `/v1/tasks/${encodeURIComponent(id)}/retry`);
  }
  cancelTask(id: string): Promise<Cancelled> {
    return this.request("POST", `/v1/tasks/${encodeURIComponent(id)}/cancel`);
  }
  status(): Promise<StatusView> {
    return this.request("GET", "/v1/status");
  }
  agent(name: string): Promise<AgentView> {
    return this.request("GET", `/v1/agents/${encodeURIComponent(name)}`);
  }
  setPaused(agent: string, paused: boolean): Promise<AgentView> {
    return this.request("POST", `/v1/agents/${encodeURIComponent(agent)}/${paused ? "pause" : "resume"}`);
  }
  restartSession(session: string): Promise<Restarted> {
    return this.request("POST", `/v1/sessions/${encodeURIComponent(session)}/restart`);
  }
  validateWorkflow(source: WorkflowSource): Promise<Validated> {
    return this.request("POST", "/v1/workflows/validate", source);
  }
  runWorkflow(source: WorkflowSource, params?: Readonly<Record<string, string | number | boolean>>): Promise<ExecutionView> {
    return this.request("POST", "/v1/workflows/runs", { ...source, ...(params ? { params } : {}) });
  }
  async examples(): Promise<Example[]> {
    return (await this.request<{ examples: Example[] }>("GET", "/v1/workflows/examples")).examples;
  }
  async executions(): Promise<ExecutionSummary[]> {
    return (await this.request<{ runs: ExecutionSummary[] }>("GET", "/v1/workflows/runs")).runs;
  }
  execution(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<ExecutionView> {
    return this.request("GET", `/v1/workflows/runs/${encodeURIComponent(id)}${waitSeconds ? `?wait=${waitSeconds}` : ""}`, undefined, {}, signal);
  }
  cancelExecution(id: string, reason?: string): Promise<ExecutionView> {
    return this.request("POST", `/v1/workflows/runs/${encodeURIComponent(id)}/cancel`, reason ? { reason } : undefined);
  }
  approve(id: string, step: string): Promise<ExecutionView> {
    return this.request("POST", `/v1/workflows/runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/approve`);
  }
  reject(id: string, step: string, reason?: string): Promise<ExecutionView> {
    return this.request("POST", `/v1/workflows/runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/reject`, reason ? { reason } : undefined);
  }
  events(query: EventQuery): Promise<EventList> {
    return this.request("GET", `/v1/events/history${queryString(query as Record<string, string | number | undefined>)}`);
  }

  private async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      throw new NotRunningError(`the swarm's API at ${this.base} cannot be reached`, {
        cause,
        hint: "Check the URL (claude-agent status shows it on the swarm's machine) and that the swarm runs.",
      });
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (response.ok) return json as T;
    const problem = (json ?? {}) as { detail?: string; title?: string; errors?: { pointer: string; in: string; detail: string }[] };
    const message = problem.detail ?? problem.title ?? `HTTP ${response.status}`;
    if (response.status === 401)
      throw new AccessError("the API refused the token", { hint: "Create one on the swarm's machine: claude-agent api token create --name NAME" });
    if (response.status === 403) throw new AccessError(`the API refused: ${message}`);
    if (response.status === 404) throw new NotFoundError(message);
    if (response.status === 503)
      throw new NotRunningError(`the swarm is unavailable: ${message}`, { hint: `Retry after ${response.headers.get("retry-after") ?? "a few"} seconds.` });
    if (response.status >= 400 && response.status < 500) throw new UsageError(message, { context: { status: response.status } });
    throw new Error(`the API answered ${response.status}: ${message}`);
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined && v !== "");
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : "";
}
