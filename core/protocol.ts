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
  /** Agents with `accounts:`: the account (login or key) the task ran with. */
  account?: string;
  /** Worktree agents: the files the task changed (added, modified or deleted), relative to the worktree. */
  changedFiles?: string[];
  /** Worktree agents: `git diff --stat` of what the task changed. */
  diffStat?: string;
  /**
   * Worktree agents: the size in bytes of the task's patch, kept on the host that ran it as `<home>/output/<id>.diff`
   * (cut at 2 MB): `claude-agent diff ID`, `GET /v1/tasks/{id}/diff`. Absent when the task changed nothing.
   */
  diffBytes?: number;
  /** Worktree agents with `commit`: the commit made for the task, on the replica's branch. */
  commit?: string;
  /** The gate's output (stdout and stderr, the last 64 KB) when it failed. */
  gateOutput?: string;
  /** How many times a failing gate sent its output back to the agent. */
  gateRetries?: number;
  /** Why the recorded output is incomplete (its file could not be written: a full disk). The exit code stands. */
  outputError?: string;
  /** Agent programs with `memory.inject`: ids of the memory entries put into the prompt (history/memory). */
  memoryEntries?: string[];
  /** Swarms with `hosts:`: the host whose bridge ran the task (its last dispatch). */
  host?: string;
  /** The flight recorder's recording of the task's pane (asciicast v2), `<home>/output/<id>.cast`: `claude-agent replay ID`. */
  castFile?: string;
}

/** The full stored record of a task. */
export interface TaskRecord extends TaskResult {
  /** The task text as shown: secrets redacted. When that changed it, `taskRedacted` is set and the text that runs is `Ledger.taskText`. */
  task: string;
  /** The stored `task` is redacted; the raw text is kept under `keys.taskRaw(id)` until the task ends. */
  taskRedacted?: boolean;
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
  /** A gate command for this task, replacing the agent's `gate`. */
  gate?: string;
  /** Gate retries allowed for this task, replacing the agent's `gate_retries` (named apart from the result's count). */
  gateRetriesAllowed?: number;
  /** Commit the task's changes (worktree agents), replacing the agent's `commit`. */
  autoCommit?: boolean;
  /**
   * Variables exported to this task's process only (a shell agent's dispatch; agent programs
   * ignore them): names `CA_[A-Z0-9_]+`. Workflows pass step values this way, so they reach
   * a shell as data and never as part of its script. Stored as JSON in the task's hash.
   */
  env?: Readonly<Record<string, string>>;
  /** Dispatches that ended on a usage limit and ran again on the agent's next account (not counted as lost runs). */
  accountReruns?: number;
}

/** The names a task's own environment may use (TaskRecord.env). */
export const TASK_ENV_NAME = /^CA_[A-Z0-9_]+$/;

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
  "task.cancel-requested",
  /** Usage figures (token counts) added to an ended task when its program reported them after the end. */
  "task.amended",
  "agent.up",
  "agent.down",
  "agent.failed",
  "agent.state",
  "agent.parked",
  "agent.resumed",
  /** A usage limit moved an agent with `accounts:` to its next account (`from`, `to`). */
  "agent.account-switched",
  "agent.breaker-open",
  "agent.breaker-closed",
  "agent.drift-suspected",
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
  /** `agent.parked`: when the agent's queue resumes; `agent.breaker-open`: when its breaker lets a probe job through. ISO 8601. */
  until?: string;
  /** `agent.breaker-open`: the infrastructure failure that opened it. */
  reason?: string;
  /** `agent.account-switched`: the account it left and the one it runs with now. */
  from?: string;
  to?: string;
  /** Swarms with `hosts:`: on `task.started` and a task's terminal event, the host that ran it; on a breaker's events, its host. */
  host?: string;
  /** Who did it, on events of state-changing actions: a user (`user@host`), an API token's name, an MCP client, `workflow:<execution>`. */
  actor?: string;
  /** The interface the action came through (see INTERFACES). */
  via?: Interface | string;
}

/** The interfaces an action can come through; the audit log records one with every action. */
export const INTERFACES = ["cli", "sdk", "api", "mcp", "tui", "workflow"] as const;
export type Interface = (typeof INTERFACES)[number];

/** Who acts and through which interface: stamped on the events of submit, cancel, approve, reject and the like. */
export interface Origin {
  readonly actor: string;
  readonly via: Interface;
}

/**
 * Agent session states as the bridge publishes them, and as `status` derives them: `down` when its
 * daemon (or, with `hosts:`, its host) is not running; `lost` when its host fell silent (died, froze or
 * lost Redis) while the session had a task, which another host's replica runs again (docs/MULTI-HOST.md).
 */
export type SessionState = "starting" | "idle" | "busy" | "down" | "lost" | "failed";

/**
 * What the program in an interactive session is doing (Claude Code's TUI),
 * from its hooks: `done` its last turn ended, `needs-input` it waits for a
 * person (a permission prompt; `needsInput` says what is asked), `error` its
 * last turn failed or the program could not start, `needs-login` it has no
 * login (`claude-agent login AGENT`).
 */
export type AgentState = "starting" | "idle" | "working" | "needs-input" | "needs-login" | "done" | "error";

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
  /** Interactive agents: what the program is doing (see AgentState). */
  agentState?: AgentState;
  /** Interactive agents in `needs-input`: what the program asks. */
  needsInput?: string | null;
  /** Agent programs: the version the program reported when the session started (`--version`). */
  programVersion?: string;
  /** Interactive agents: why the agent is drift-suspected (its program no longer reads as its adapter expects). */
  drift?: string;
  /** A person typing in the session's terminal (the web dashboard's Take over): it gets no new task until they hand it back. */
  takenOver?: { readonly by: string; readonly since: string };
}
