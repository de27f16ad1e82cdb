import { CommanderError } from "commander";
import { ConfigError, isClaudeAgentError } from "../core/index.js";
import { printError } from "./output.js";

/**
 * The one place that turns an error into what the user reads and an exit code.
 * Messages can quote stored text (a task id, a reason, a model's plan), so they
 * are printed through the terminal sanitiser like everything else.
 */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isClaudeAgentError(error)) {
    if (error instanceof ConfigError) {
      printError(`error: invalid configuration\n${error.problems.map((p) => `  ${p}`).join("\n")}\n`);
    } else {
      printError(`error: ${error.message}\n`);
    }
    if (error.hint) printError(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`error: unexpected failure: ${message}\n`);
  if (process.env.CLAUDE_AGENT_DEBUG && error instanceof Error) printError(`${error.stack}\n`);
  else printError("hint: set CLAUDE_AGENT_DEBUG=1 for details, and please report it.\n");
  return 70;
}
