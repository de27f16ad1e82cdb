#!/usr/bin/env node
import { setTimeout as sleep } from "node:timers/promises";
import { Command, Option } from "commander";
import { reportError } from "./errors.js";
import { exitCodes, type ExitCodes } from "./program/act.js";
import type { ProgramContext } from "./program/context.js";
import { agentCommands } from "./program/agents.js";
import { historyCommands } from "./program/history.js";
import { setupCommands } from "./program/setup.js";
import { swarmCommands } from "./program/swarm.js";
import { taskCommands } from "./program/tasks.js";
import { workflowCommands } from "./program/workflows.js";
import { stdoutClosed } from "./stdout-closed.js";

/**
 * The program: its global options, then every command, declared by group in
 * program/ (the order of the groups is the order of --help). Each command's
 * code is imported only when it runs, so `submit` does not load the bridge or
 * tmux code; each command module exports one async function.
 */
function program(act: ExitCodes["act"]): Command {
  const cli = new Command("claude-agent")
    .description("A swarm of AI coding agents in tmux sessions, fed from a Redis queue.")
    .version("0.1.0")
    .addOption(new Option("--home <dir>", "the swarm's home (default: $CLAUDE_AGENT_HOME or ~/.claude-agent)"))
    .addOption(
      new Option(
        "--url <url>",
        "use a swarm's HTTP API instead of a local home (submit, result, cancel, status, approve, reject, mcp; default $CLAUDE_AGENT_URL)",
      ),
    )
    .addOption(new Option("--token <token>", "the API token for --url (default $CLAUDE_AGENT_TOKEN, else the home's api.token)"))
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const home = () => cli.opts<{ home?: string }>().home;
  /** The remote API when --url or CLAUDE_AGENT_URL names one (commands/remote.ts), else null. */
  const remote: ProgramContext["remote"] = async () => {
    const { remoteTarget } = await import("./commands/remote.js");
    const target = remoteTarget({ ...cli.opts<{ home?: string; url?: string; token?: string }>() });
    return target ? { target, commands: await import("./commands/remote.js") } : null;
  };

  const context: ProgramContext = { home, remote, act };
  for (const group of [swarmCommands, taskCommands, workflowCommands, agentCommands, historyCommands, setupCommands]) group(cli, context);

  return cli;
}

const exit = exitCodes();

/** The exit code: what the command returned, or what reportError makes of what it threw. */
async function main(argv: string[]): Promise<number> {
  try {
    await program(exit.act).parseAsync(argv);
    return exit.code() ?? 0;
  } catch (error) {
    return reportError(error);
  }
}

/**
 * How long a command whose reader went away may go on to give its exit code: it printed its answer and
 * has its connections to close (`result ID | head -1` still exits with the task's code). One that runs
 * on (`logs -f`) has none to give and is ended then.
 */
const EPIPE_GRACE_MS = 500;

// `claude-agent … | head`: a reader that stops reading is not an error of ours (no stack trace).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    // The daemon (`up`) stops cleanly instead: it registered for this in stdout-closed.ts.
    if (stdoutClosed()) return;
    void Promise.race([ended, sleep(EPIPE_GRACE_MS).then(() => exit.code() ?? 0)]).then((code) => process.exit(code));
  });
}

const ended = main(process.argv);
const code = await ended;
process.exitCode = code;
// Let stdout drain and exit naturally; a forgotten handle must not keep a CLI alive.
setTimeout(() => process.exit(code), 1000).unref();
