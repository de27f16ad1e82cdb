/** The API's answers as the page uses them (the server's zod schemas in api/schemas are the reference). */
export type SessionState = "starting" | "idle" | "busy" | "down" | "failed";

export interface SessionView {
  readonly name: string;
  readonly agent: string;
  readonly state: SessionState;
  readonly currentTask: string | null;
  readonly completed: number;
  readonly failed: number;
  readonly restarts: number;
  readonly host: string;
  readonly agentState?: string;
  readonly needsInput?: string | null;
}

export interface AgentView {
  readonly name: string;
  readonly runtime: string;
  readonly replicas: number;
  readonly paused: boolean;
  readonly parkedUntil?: string;
  readonly breaker?: { readonly state: string; readonly until: string; readonly reason: string };
  readonly sessions: readonly SessionView[];
  readonly queue: { readonly waiting: number; readonly active: number; readonly delayed: number };
}

export interface StatusView {
  readonly agents: readonly AgentView[];
  readonly daemon: { readonly alive: boolean; readonly startedAt: string | null };
}

export const TASK_STATUSES = ["queued", "running", "completed", "failed", "timeout", "cancelled", "rejected"] as const;

export interface TaskSummary {
  readonly id: string;
  readonly agent: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly submittedAt: string;
  readonly finishedAt: string | null;
  readonly task: string;
}

export interface TaskView extends TaskSummary {
  readonly session: string | null;
  readonly output: string;
  readonly startedAt: string | null;
  readonly durationMs: number | null;
  readonly reason?: string;
  readonly answer?: string;
  /** Where the flight recorder wrote the task's pane; absent when it was not recorded. */
  readonly castFile?: string;
}

/** GET /v1/tasks/:id/recording: asciicast v2 events, the output filtered for replay by the server. */
export interface Recording {
  readonly id: string;
  readonly header: { readonly width: number; readonly height: number; readonly timestamp: number; readonly title?: string };
  readonly events: readonly (readonly [time: number, code: "o" | "i" | "m" | "r", data: string])[];
}

export interface SwarmEvent {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly taskId?: string;
  readonly agent?: string;
  readonly session?: string;
  readonly status?: string;
  /** audit events: who did what. */
  readonly actor?: string;
  readonly action?: string;
}

export interface SessionInfo {
  readonly actor: string;
  readonly scopes: readonly string[];
  readonly csrf: string;
}

export function isFinished(status: string): boolean {
  return status !== "queued" && status !== "running";
}

export interface InboxQuestion {
  readonly name: string;
  readonly prompt: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  readonly required: boolean;
}

export interface InboxItem {
  readonly id: string;
  readonly kind: "approval" | "input";
  readonly status: "open" | "answered" | "withdrawn";
  readonly title: string;
  readonly text: string;
  readonly questions: readonly InboxQuestion[];
  /** A workflow step's question, a run's budget (no step), an agent's budget (agent and period only) or a command its policy asks about (agent and task). */
  readonly source: {
    readonly type: "workflow" | "budget" | "policy";
    readonly taskId?: string;
    readonly call?: string;
    readonly workflow?: string;
    readonly step?: string;
    readonly executionId?: string;
    readonly agent?: string;
    readonly period?: string;
  };
  readonly createdAt: string;
  readonly escalatedAt: string | null;
}
