import { CommanderError } from "commander";
import { ConfigError, isClaudeAgentError } from "../core/index.js";

/** The one place that turns an error into what the user reads and an exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isClaudeAgentError(error)) {
    if (error instanceof ConfigError) {
      process.stderr.write(`error: invalid configuration\n${error.problems.map((p) => `  ${p}`).join("\n")}\n`);
    } else {
      process.stderr.write(`error: ${error.message}\n`);
    }
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: unexpected failure: ${message}\n`);
  if (process.env.CLAUDE_AGENT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write("hint: set CLAUDE_AGENT_DEBUG=1 for details, and please report it.\n");
  return 70;
}
