/**
 * The shapes that cross process boundaries through Redis: task records,
 * job payloads, events. Everything read back from Redis is validated at
 * that edge (see ledger.ts); these types are what the rest of the code sees.
 */

export const TERMINAL_STATUSES = ["completed", "failed", "timeout", "cancelled", "rejected"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type TaskStatus = "queued" | "running" | TerminalStatus;

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** What a user gets back for a task (`claude-agent result ID --json`). */
export interface TaskResult {
  id: string;
  agent: string;
  session: string | null;
  status: TaskStatus;
  exitCode: number | null;
  output: string;
  outputFile: string | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  attempts: number;
  /** Why the task ended as it did when that is not obvious from the exit code. */
  reason?: string;
  /** Agent programs (not shell): the program's final answer to the prompt. */
  answer?: string;
  /** Agent programs: what the program reported the task cost, in US dollars. */
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Agent programs: model round trips the program made for the task. */
  turns?: number;
  /** Agent programs: the program's conversation id (`--resume`), which the agent's next task continues. */
  agentSessionId?: string;
  /** Set when the program hit a rate or usage limit: when it lifts, ISO 8601, if the program said. */
  rateLimitResetAt?: string;
}

/** The full stored record of a task. */
export interface TaskRecord extends TaskResult {
  task: string;
  timeoutSec: number;
  priority: number;
  idempotencyKey: string | null;
  routedBy: string;
  /** Dispatch token of the attempt currently typed into a pane (see agents/shell). */
  dispatch: string | null;
  /** `paneId:panePid` of the pane the dispatch was typed into: a restarted pane is a different one. */
  pane: string | null;
  cancelRequested: boolean;
  /** Agent programs: start a new conversation instead of continuing the session's last one. */
  fresh?: boolean;
}

/** The BullMQ job payload; the task text itself lives in the task record. */
export interface JobPayload {
  taskId: string;
}

export const EVENT_TYPES = [
  "task.submitted",
  "task.started",
  "task.completed",
  "task.failed",
  "task.cancelled",
  "task.timeout",
  "task.rejected",
  "task.retrying",
  "agent.up",
  "agent.down",
  "agent.failed",
  "swarm.up",
  "swarm.down",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface SwarmEvent {
  /** Redis stream id, e.g. `1732230000000-0`. */
  id: string;
  type: EventType | string;
  at: string;
  taskId?: string;
  agent?: string;
  session?: string;
  status?: string;
  message?: string;
}

/** Agent session states as the bridge publishes them. */
export type SessionState = "starting" | "idle" | "busy" | "down" | "failed";

export interface SessionInfo {
  name: string;
  agent: string;
  state: SessionState;
  currentTask: string | null;
  completed: number;
  failed: number;
  restarts: number;
  startedAt: string | null;
  heartbeatAt: string | null;
  host: string;
}
