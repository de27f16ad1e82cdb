#!/usr/bin/env node
import { Command, Option } from "commander";
import { reportError } from "./errors.js";

/**
 * Every command is declared here and imported lazily, so `submit` does not
 * load the bridge or tmux code. Each command module exports one async function.
 */
function program(): Command {
  const cli = new Command("claude-agent")
    .description("A swarm of AI coding agents in tmux sessions, fed from a Redis queue.")
    .version("0.1.0")
    .addOption(new Option("--home <dir>", "the swarm's home (default: $CLAUDE_AGENT_HOME or ~/.claude-agent)"))
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const home = () => cli.opts<{ home?: string }>().home;

  cli.command("init")
    .description("write a commented swarm.yaml with the specialist roster")
    .option("--file <path>", "where to write it", "swarm.yaml")
    .option("--force", "overwrite an existing file")
    .action(async (opts) => (await import("./commands/init.js")).init(opts));

  cli.command("up")
    .description("start the swarm: Redis, tmux sessions, bridge and supervisor")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .option("--detach", "run in the background and return once the swarm is ready")
    .option("--json", "print the started swarm as JSON (with --detach)")
    .action(async (opts) => (await import("./commands/up.js")).up({ ...opts, home: home() }));

  cli.command("down")
    .description("stop the swarm: its processes, its tmux sessions and the embedded Redis")
    .option("--json", "print what was stopped as JSON")
    .action(async (opts) => (await import("./commands/down.js")).down({ ...opts, home: home() }));

  cli.command("submit")
    .description("queue a task for an agent (routed by keywords when --agent is not given)")
    .option("--task <text>", "the task; for shell agents a bash command line")
    .option("--task-file <file>", "read the task text from a file (- for stdin)")
    .option("--agent <name>", "the agent to run it")
    .option("--wait", "wait for the result and print it")
    .option("--timeout <seconds>", "time limit (default: the agent's timeout)")
    .option("--priority <n>", "1 is the most urgent; without it, first come first served")
    .option("--idempotency-key <key>", "submitting again with the same key returns the same task")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/submit.js")).submit({ ...opts, home: home() }));

  cli.command("status")
    .description("agents, their sessions and queue depths")
    .option("--agent <name>", "only this agent")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/status.js")).status({ ...opts, home: home() }));

  cli.command("result")
    .description("show a task's result")
    .argument("<id>", "task id")
    .option("--wait", "wait until the task has finished")
    .option("--json", "print JSON")
    .action(async (id, opts) => (await import("./commands/result.js")).result(id, { ...opts, home: home() }));

  cli.command("cancel")
    .description("cancel a task: remove it from its queue, or interrupt it (Ctrl-C) in its pane")
    .argument("<id>", "task id")
    .option("--json", "print JSON")
    .action(async (id, opts) => (await import("./commands/cancel.js")).cancel(id, { ...opts, home: home() }));

  cli.command("attach")
    .description("attach your terminal to an agent's tmux session (detach with C-b d)")
    .argument("<agent>", "agent name (its first replica) or session name such as backend-api-2")
    .option("--read-only", "watch without being able to type")
    .action(async (agent, opts) => (await import("./commands/attach.js")).attach(agent, { ...opts, home: home() }));

  cli.command("logs")
    .description("the swarm's events (task and agent lifecycle)")
    .argument("[agent]", "only events of this agent")
    .option("-f, --follow", "keep printing new events")
    .option("-n, --lines <n>", "how many past events to show", "50")
    .option("--json", "one JSON object per line")
    .action(async (agent, opts) => (await import("./commands/logs.js")).logs(agent, { ...opts, home: home() }));

  cli.command("doctor")
    .description("check tmux, redis-server, Node, the home and Redis, and say how to fix problems")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/doctor.js")).doctor({ ...opts, home: home() }));

  cli.command("demo")
    .description("start a swarm of three shell agents, send it real tasks, show the results")
    .option("--keep", "leave the demo swarm running afterwards")
    .option("--json", "print the results as JSON")
    .action(async (opts) => (await import("./commands/demo.js")).demo({ ...opts, home: home() }));

  return cli;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

const code = await main(process.argv);
process.exitCode = code;
// Let stdout drain and exit naturally; a forgotten handle must not keep a CLI alive.
setTimeout(() => process.exit(code), 1000).unref();
