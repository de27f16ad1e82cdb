/**
 * One adapter per agent program. Every pane runs the same shell (shell/rc.ts);
 * an adapter turns a task into the script a dispatch runs there and, for the
 * AI programs, reads the program's machine-readable output back into an
 * AgentOutcome. Adding a program is its folder agents/<program>/ and one line
 * in registry.ts (or one registerRuntime call, for a program from outside).
 */
import type { AgentMode, LlmConfig, PolicySettings, Runtime } from "../core/index.js";

import type { ToolCall } from "./tool-calls.js";

/** One task as an adapter sees it. */
export interface AgentJob {
  /** The task text. Only the shell adapter may put it in its script; the others read `promptFile`. */
  readonly task: string;
  /** A file holding the task text: the program reads its prompt from here, never from the command line. */
  readonly promptFile: string;
  /** Where the script must write the program's event stream. */
  readonly eventsFile: string;
  readonly cwd: string;
  /** The executable to run (`command` in swarm.yaml), or null for the program's usual name. */
  readonly command: string | null;
  readonly model: string | null;
  readonly args: readonly string[];
  /** The `node` executable the program runs with (the agent's `node:`, found), or null for the one on PATH. */
  readonly node?: string | null;
  /** The program's conversation to continue, unless `fresh`. */
  readonly resumeId: string | null;
  readonly fresh: boolean;
  /** The langchain runtime: the model endpoint from the agent's `llm` in swarm.yaml. */
  readonly llm?: LlmConfig | null;
  /** The agent's command policy, for programs whose command tool is ours (langchain). */
  readonly policy?: PolicySettings | null;
  /** The session's ask folder (agents/policy-hook/ask-channel.ts), for a policy with `ask` rules; null or absent: none. */
  readonly askChannel?: string | null;
  /**
   * The file holding this dispatch's `policySettings` (below), written by the bridge before the script runs and
   * shown read-only in the sandbox; null or absent: none.
   */
  readonly policyFile?: string | null;
  /** The agent's role (swarm.yaml `role:`, resolved to its text), for the program's instructions; null: none. */
  readonly role?: string | null;
  /**
   * The file holding the role where this program reads it (role-files.ts), already written; null: no role.
   * Adapters name it on the command line or rely on the program finding it; the text itself never enters the script.
   */
  readonly roleFile?: string | null;
}

/** Absolute paths a script needs besides the job's own files. */
export interface ScriptPaths {
  /** The agent's own config folder (CLAUDE_CONFIG_DIR, CODEX_HOME, …). */
  readonly configDir: string;
  /** The node binary that runs the renderer. */
  readonly node: string;
  /** render-stream.js, which turns the event stream into text for the pane. */
  readonly renderer: string;
}

/** What a program's output says about the task. */
export interface AgentOutcome {
  /** The program's final answer to the prompt. */
  answer: string;
  /** How many machine-readable events were read. */
  events: number;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  turns?: number;
  /** The program's conversation id, for `--resume` on the next task. */
  conversationId?: string;
  isError?: boolean;
  errorMessage?: string;
  /** The program hit a rate or usage limit: a control-flow signal for the queue, not the task's fault. */
  rateLimited?: boolean;
  /** When the limit lifts, ISO 8601, when the program said. */
  rateLimitResetAt?: string;
  /** The tools the program called, in order (at most MAX_TOOL_CALLS), for the audit log. */
  toolCalls?: ToolCall[];
  /** Calls beyond MAX_TOOL_CALLS, counted, not kept. */
  toolCallsDropped?: number;
}

export interface AgentRuntime {
  readonly name: Runtime;
  readonly defaultMode: AgentMode;
  /** False for shell: the task is the script and there is no event stream to parse. */
  readonly structured: boolean;
  /** No program of its own whose `--version` tells its release (shell, or one of ours). */
  readonly unversioned?: true;
  /** The bash text a dispatch runs in the pane (see shell/rc.ts `ca-run`). */
  buildScript(job: AgentJob, paths: ScriptPaths): string;
  /**
   * A program whose policy hook is configured in a settings file (Gemini CLI, Qwen Code): that file's content
   * for this job (null when the job has no policy). The bridge writes it next to the dispatch, out of the
   * program's reach, and names it in `job.policyFile` for buildScript.
   */
  policySettings?(job: AgentJob, paths: ScriptPaths): string | null;
  /** Reads the events file written by the script. Never throws: unknown lines are skipped. */
  parseEvents(text: string): AgentOutcome;
  /** One line of the event stream as the text to write into the pane (newline included), or null to show nothing. */
  renderEvent(line: string): string | null;
}
