/**
 * The programs whose own hook runs our policy checker (hook.ts) before a
 * tool call, and the name each gives its shell tool in the hook's input.
 * Their other tools (file writes and edits, MCP tools) run no command of
 * their own and pass unchecked.
 */
import type { Runtime } from "../../core/index.js";

// Codex (0.171) names its shell tool "Bash" in a hook's input too, the same shape as Claude Code's.
const SHELL_TOOLS: Readonly<Record<string, string>> = { claude: "Bash", codex: "Bash", gemini: "run_shell_command", qwen: "run_shell_command" };

/** The shell tool's name in `program`'s hook input, or null for a program without such a hook. */
export function shellToolOf(program: string): string | null {
  return Object.hasOwn(SHELL_TOOLS, program) ? SHELL_TOOLS[program]! : null;
}

/**
 * Whether a policy `ask` of this runtime waits in the agent's own process (the program's hook, or the
 * built-in LangChain agent's command tool) and is answered through the session's ask channel.
 */
export function asksInHook(runtime: Runtime): boolean {
  return runtime === "langchain" || shellToolOf(runtime) !== null;
}
