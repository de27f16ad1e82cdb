/**
 * What a client of the control plane can do: the HTTP routes and the MCP
 * tools are thin layers over this interface. LocalControl implements it
 * with the swarm's own client (SwarmClient, WorkflowClient); the SDK's
 * remote mode implements it over HTTP, so `claude-agent mcp --url` serves
 * the same tools from another machine.
 */
import type { z } from "zod/v4";
import type { agentView, restarted, statusView } from "../schemas/agents.js";
import type { eventList } from "../schemas/events.js";
import type { cancelled, submitted, taskPage, taskView, SubmitBody } from "../schemas/tasks.js";
import type { example, executionState, executionSummary, validated, WorkflowSource } from "../schemas/workflows.js";

export type Submitted = z.infer<typeof submitted>;
export type TaskView = z.infer<typeof taskView>;
export type TaskPageView = z.infer<typeof taskPage>;
export type Cancelled = z.infer<typeof cancelled>;
export type AgentView = z.infer<typeof agentView>;
export type StatusView = z.infer<typeof statusView>;
export type Restarted = z.infer<typeof restarted>;
export type EventList = z.infer<typeof eventList>;
export type ExecutionView = z.infer<typeof executionState>;
export type ExecutionSummary = z.infer<typeof executionSummary>;
export type Validated = z.infer<typeof validated>;
export type Example = z.infer<typeof example>;

export interface EventQuery {
  readonly agent?: string;
  readonly task?: string;
  readonly workflow?: string;
  readonly type?: string;
  readonly after?: string;
  readonly limit?: number;
}

export interface ControlPlane {
  submit(body: SubmitBody, idempotencyKey?: string): Promise<Submitted>;
  /** The task now, or once it ends when `waitSeconds` is given (whichever comes first). */
  task(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<TaskView>;
  listTasks(query: { agent?: string; status?: string; limit?: number; cursor?: string }): Promise<TaskPageView>;
  cancelTask(id: string): Promise<Cancelled>;
  /** Runs an ended task again (same agent, text and options); asked twice, the first retry (`created: false`). */
  retryTask(id: string): Promise<Submitted>;
  status(): Promise<StatusView>;
  agent(name: string): Promise<AgentView>;
  setPaused(agent: string, paused: boolean): Promise<AgentView>;
  restartSession(session: string): Promise<Restarted>;
  validateWorkflow(source: WorkflowSource): Promise<Validated>;
  runWorkflow(source: WorkflowSource, params?: Readonly<Record<string, string | number | boolean>>): Promise<ExecutionView>;
  examples(): Promise<Example[]>;
  executions(): Promise<ExecutionSummary[]>;
  execution(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<ExecutionView>;
  cancelExecution(id: string, reason?: string): Promise<ExecutionView>;
  approve(id: string, step: string): Promise<ExecutionView>;
  reject(id: string, step: string, reason?: string): Promise<ExecutionView>;
  events(query: EventQuery): Promise<EventList>;
}
