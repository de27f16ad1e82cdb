/** The resolved, validated swarm configuration every module downstream of the CLI receives. */
import { join } from "node:path";

/** The program an agent's panes run its tasks with (one adapter each under agents/). */
export type Runtime = "shell" | "claude" | "codex" | "gemini" | "aider" | "qwen";
export const RUNTIMES: readonly Runtime[] = ["shell", "claude", "codex", "gemini", "aider", "qwen"];

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
}

export interface SwarmConfig {
  /** Absolute path of the file it was read from, or "<default>" / "<inline>". */
  readonly source: string;
  readonly agents: readonly AgentConfig[];
  readonly defaultAgent: string | null;
}

export const DEFAULT_TIMEOUT_SEC = 600;
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The agent's own configuration folder (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`, …),
 * so two agents never share one settings file or one conversation store.
 */
export function agentConfigDir(home: string, agent: string): string {
  return join(home, "agents", agent, "config");
}
