/** The API's answers as the page uses them (the server's zod schemas in api/schemas are the reference). */
export type SessionState = "starting" | "idle" | "busy" | "down" | "lost" | "failed";

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
  /** A person typing in its terminal: no new task until they hand it back. */
  readonly takenOver?: { readonly by: string; readonly since: string };
}

export interface AgentView {
  readonly name: string;
  readonly runtime: string;
  readonly replicas: number;
  readonly paused: boolean;
  readonly parkedUntil?: string;
  /** In a swarm spanning hosts, those where the agent is parked (only their sessions wait). */
  readonly parkedHosts?: readonly string[];
  /** `hosts`: in a swarm spanning hosts, those whose breaker for this agent is not closed (it holds only their sessions). */
  readonly breaker?: { readonly state: string; readonly until: string; readonly reason: string; readonly hosts?: readonly string[] };
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
  /** Swarms with `hosts:`: the host that ran it. */
  readonly host?: string;
  readonly output: string;
  readonly startedAt: string | null;
  readonly durationMs: number | null;
  readonly reason?: string;
  readonly answer?: string;
  /** Where the flight recorder wrote the task's pane; absent when it was not recorded. */
  readonly castFile?: string;
  readonly attempts?: number;
  readonly routedBy?: string;
  readonly costUsd?: number | null;
  readonly inputTokens?: number | null;
  readonly outputTokens?: number | null;
  readonly turns?: number;
  readonly account?: string;
  /** Worktree agents: what the task changed. */
  readonly changedFiles?: readonly string[] | null;
  readonly diffStat?: string;
  readonly diffBytes?: number;
  readonly commit?: string;
  readonly gateOutput?: string;
  readonly gateRetries?: number;
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
  /**
   * A workflow step's question, a run's budget (no step), an agent's budget (agent and period only), a command its policy
   * asks about (agent and task), its program's permission prompt (agent, session and task) or a failed task (agent and task).
   */
  readonly source: {
    readonly type: "workflow" | "budget" | "policy" | "prompt" | "task";
    readonly session?: string;
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

/** GET /v1/workflows/runs: one execution, newest first. */
export interface ExecutionSummary {
  readonly id: string;
  readonly workflow: string;
  readonly status: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly waitingApproval: readonly string[];
}

export interface StepView {
  readonly status: string;
  readonly attempts: number;
  readonly taskId: string | null;
  readonly agent: string | null;
  readonly exitCode: number | null;
  readonly output: string;
  readonly reason: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** The rendered task text, or the approval question. */
  readonly task?: string | null;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: "task" | "approval" | "input";
  readonly dependsOn: readonly string[];
  readonly agent: string | null;
}

/** GET /v1/workflows/runs/:id. */
export interface ExecutionView {
  readonly id: string;
  readonly workflow: string;
  readonly definition: { readonly name: string; readonly steps: readonly string[]; readonly graph: readonly GraphNode[] };
  readonly params: Readonly<Record<string, string>>;
  readonly status: string;
  readonly steps: Readonly<Record<string, StepView>>;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** GET /v1/workflows/examples. */
export interface WorkflowExample {
  readonly name: string;
  readonly workflow: string;
  readonly description?: string;
}

/** POST /v1/workflows/validate. */
export interface ValidatedWorkflow {
  readonly workflow: string;
  readonly steps: readonly string[];
  readonly params: readonly { readonly name: string; readonly required: boolean; readonly default?: string; readonly description?: string }[];
}

/** GET /health: each component and agent ok, degraded or down, with what to do when it is not ok. */
export interface HealthComponent {
  readonly status: "ok" | "degraded" | "down";
  readonly detail?: string;
  readonly fix?: string;
  readonly roundTripMs?: number;
}

export interface HealthReport {
  readonly status: "ok" | "degraded" | "down";
  readonly components: Readonly<Record<string, HealthComponent>>;
  readonly agents: Readonly<Record<string, HealthComponent>>;
}

/** GET /v1/history/tasks: one task from the durable history. */
export interface HistoryTask {
  readonly id: string;
  readonly agent: string;
  readonly status: string;
  readonly task: string;
  readonly submittedAt: string;
  readonly finishedAt: string | null;
  readonly workflow: string | null;
  readonly step: string | null;
  /** Searches only: the passage that matched, the matched words between « and ». */
  readonly snippet?: string;
}

/** GET /v1/history/throughput: finished tasks per bucket, oldest first. */
export interface Throughput {
  readonly bucketMs: number;
  readonly since: string;
  readonly buckets: readonly {
    readonly at: string;
    readonly completed: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly meanWaitMs: number | null;
  }[];
}
