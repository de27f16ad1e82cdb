/** The resolved, validated swarm configuration every module downstream of the CLI receives. */
import { join } from "node:path";
import type { RoleConfig } from "./roles.js";

/** The program an agent's panes run its tasks with (one adapter each under agents/). */
export type Runtime = "shell" | "claude" | "codex" | "gemini" | "aider" | "qwen" | "langchain";
export const RUNTIMES: readonly Runtime[] = ["shell", "claude", "codex", "gemini", "aider", "qwen", "langchain"];

/**
 * How an agent program is driven: `headless` runs it once per task with its
 * machine-readable output (`claude -p`, `codex exec --json`, …); `interactive`
 * keeps its TUI open in the pane and types each task into it.
 */
export type AgentMode = "headless" | "interactive";
export const AGENT_MODES: readonly AgentMode[] = ["headless", "interactive"];

export interface AgentConfig {
  readonly name: string;
  readonly runtime: Runtime;
  readonly replicas: number;
  /** Absolute working directory of the agent's sessions. */
  readonly cwd: string;
  readonly routes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Default job time limit in seconds. */
  readonly timeout: number;
  readonly mode: AgentMode;
  /** The program's executable (a path or a name on PATH), or null for the runtime's usual name (`claude`, `codex`, …). */
  readonly command: string | null;
  /** The model the program is asked for (`--model`), or null for the program's default. */
  readonly model: string | null;
  /** Extra arguments passed to the program on every task, after ours. */
  readonly args: readonly string[];
  /** Each replica works in its own git worktree of the repository at `cwd` (branch `claude-agent/<session>`). */
  readonly worktree: boolean;
  /** Worktree agents: commit what a completed task changed (a task may override it). */
  readonly commit: boolean;
  /** A shell command that must exit 0, in the agent's working tree, before a task counts as completed; null for none. */
  readonly gate: string | null;
  /** Agent programs: how many times a failing gate sends its output back to the agent before the task fails. */
  readonly gateRetries: number;
  /**
   * Interactive Claude agents: answer the program's permission prompts with
   * "yes, once" (absent means false: a prompt waits for a person as
   * `needs-input`).
   */
  readonly autoApprove?: boolean;
  /** The langchain runtime: the model it talks to (only that runtime has one). */
  readonly llm?: LlmConfig;
  /** Shell agents and the langchain agent's command tool: the agent's own command policy (core/policy.ts); absent: the safe defaults only. */
  readonly policy?: PolicySettings;
  /** What the agent is for and how it works, given to its program as instructions (roles.ts); absent: none. */
  readonly role?: RoleConfig;
}

/** An OpenAI-compatible chat-completions endpoint: OpenAI, Ollama, vLLM, LM Studio, … */
export interface LlmConfig {
  /** The API's base URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** The environment variable that holds the API key; null when the server needs none. */
  readonly apiKeyEnv: string | null;
}

/** Regular expressions (JavaScript syntax, validated at load) over a command's text. Deny always wins. */
export interface PolicySettings {
  readonly deny: readonly string[];
  /** When not empty, a command must match one of these. */
  readonly allow: readonly string[];
}

/** `supervisor:` in swarm.yaml: the model that routes, summarises and plans (null: keyword routing only). */
export interface SupervisorConfig {
  readonly llm: LlmConfig | null;
  /** How long routing waits for the model before the keyword router decides. */
  readonly routeTimeoutSec: number;
}

/**
 * `retention:` in swarm.yaml: how long finished tasks and workflow executions
 * are kept, and at most how many. Failed ones are kept at least as long as
 * completed ones (the loader refuses the opposite).
 */
export interface RetentionConfig {
  /** How long a completed task or workflow execution is kept after it finished, in ms. */
  readonly completedMs: number;
  /** How long one that failed, timed out, was cancelled or rejected is kept, in ms. */
  readonly failedMs: number;
  /** At most this many tasks are kept; the oldest finished ones go first, open ones never. */
  readonly maxTasks: number;
  /** At most this many workflow executions are kept; the oldest finished ones go first, running ones never. */
  readonly maxExecutions: number;
}

export interface SwarmConfig {
  /** Absolute path of the file it was read from, or "<default>" / "<inline>". */
  readonly source: string;
  readonly agents: readonly AgentConfig[];
  readonly defaultAgent: string | null;
  /** Absent when swarm.yaml has no `supervisor:` section (no LLM features). */
  readonly supervisor?: SupervisorConfig;
  /** Absent when swarm.yaml has no `retention:` section: DEFAULT_RETENTION applies. */
  readonly retention?: RetentionConfig;
  /** Absent when swarm.yaml has no `inbox:` section: DEFAULT_INBOX applies. */
  readonly inbox?: InboxConfig;
}

/** `inbox:` in swarm.yaml. */
export interface InboxConfig {
  /** How long an item may wait for an answer before it escalates (an `inbox.escalated` event); null: never. */
  readonly escalateAfterMs: number | null;
}

export const DEFAULT_INBOX: InboxConfig = Object.freeze({ escalateAfterMs: 3_600_000 });

export const DEFAULT_TIMEOUT_SEC = 600;
export const DEFAULT_ROUTE_TIMEOUT_SEC = 10;
const DAY_MS = 24 * 3600 * 1000;
/** Completed tasks and executions 7 days, failed ones 30, at most 50,000 tasks and 5,000 executions. */
export const DEFAULT_RETENTION: RetentionConfig = Object.freeze({ completedMs: 7 * DAY_MS, failedMs: 30 * DAY_MS, maxTasks: 50_000, maxExecutions: 5_000 });
/** More gate retries than this only burns tokens: an agent that failed a check three times needs a person. */
export const MAX_GATE_RETRIES = 3;
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The agent's own configuration folder (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`, …),
 * so two agents never share one settings file or one conversation store.
 */
export function agentConfigDir(home: string, agent: string): string {
  return join(home, "agents", agent, "config");
}
