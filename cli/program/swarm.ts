import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** The swarm's lifecycle: `init`, `up` (and its hidden keeper), `down`. */
export function swarmCommands(cli: Command, { home, act }: ProgramContext): void {
  cli
    .command("init")
    .description("write a commented swarm.yaml: the specialists on the agent programs found here, or --template")
    .option("--file <path>", "where to write it", "swarm.yaml")
    .option("--force", "overwrite an existing file")
    .option("--template <name>", "shell | claude | mixed | devops (default: the agent programs found here, shell when none can run)")
    .action(act(async (opts) => (await import("../commands/init.js")).init({ ...opts, home: home() })));

  cli
    .command("up")
    .description("start the swarm: Redis, tmux sessions, bridge and supervisor")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .option("--detach", "run in the background and return once the swarm is ready")
    .option("--no-task-log", "in the foreground, print no line per task start and end (a detached swarm prints none)")
    .option("--json", "print the started swarm as JSON (with --detach)")
    .option(
      "--unsafe-allow-redis-without-auth",
      "start even though REDIS_URL lets clients in without a password (anyone who reaches it can run commands as this swarm)",
    )
    .option("--unsafe-allow-redis-without-tls", "start even though REDIS_URL is a Redis on another machine reached without TLS (rediss://)")
    .option("--host <name>", "in a swarm with hosts: in swarm.yaml, the host this daemon is: only its sessions start (default: this machine's hostname)")
    .action(act(async (opts) => (await import("../commands/up.js")).up({ ...opts, home: home() })));

  // The keeper of an `up --detach` swarm (cli/commands/keep.ts): not for people, so not in --help.
  cli
    .command("keep", { hidden: true })
    .requiredOption("--config <file>", "swarm.yaml of the daemon it keeps")
    .option("--unsafe-allow-redis-without-auth", "passed on to the daemon")
    .option("--unsafe-allow-redis-without-tls", "passed on to the daemon")
    .option("--host <name>", "passed on to the daemon")
    .action(act(async (opts) => (await import("../commands/keep.js")).keep({ ...opts, home: home() })));

  cli
    .command("down")
    .description("stop the swarm: its processes, its tmux sessions and the embedded Redis")
    .option("--json", "print what was stopped as JSON")
    .option("--drain", "stop intake, wait for the running tasks to end, then stop (waiting tasks stay queued for the next up)")
    .option("--force", "stop at once without asking, even with tasks running (they run again from the start at the next up)")
    .action(act(async (opts) => (await import("../commands/down.js")).down({ ...opts, home: home() })));
}
