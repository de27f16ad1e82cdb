import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** Tasks and sessions: `submit`, `status`, `tui`, `web`, `result`, `cancel`, `retry`, `restart`. */
export function taskCommands(cli: Command, { home, remote, act }: ProgramContext): void {
  cli
    .command("submit")
    .description("queue a task for an agent (routed by the supervisor's model, or by keywords, when --agent is not given)")
    .option("--task <text>", "the task; for shell agents a bash command line")
    .option("--task-file <file>", "read the task text from a file (- for stdin)")
    .option("--agent <name>", "the agent to run it")
    .option("--needs <labels>", "comma-separated labels the agent must have (its own labels plus those all of its hosts share), e.g. gpu,linux")
    .option("--wait", "wait for the result and print it")
    .option("--timeout <seconds>", "time limit (default: the agent's timeout)")
    .option("--priority <n>", "1 is the most urgent; without it, first come first served")
    .option("--idempotency-key <key>", "submitting again with the same key returns the same task")
    .option("--fresh", "agent programs: start a new conversation instead of continuing the agent session's last one")
    .option("--gate <command>", "a command that must exit 0 in the agent's working tree before the task completes (replaces the agent's gate)")
    .option("--gate-retries <n>", "agent programs: send a failing gate's output back to the agent this many times (0-3)")
    .option("--commit", "worktree agents: commit what the task changed")
    .option("--no-commit", "worktree agents: leave the task's changes uncommitted")
    .option("--plan", "let the supervisor's model break the task into a workflow over the agents; shows it and runs it once confirmed")
    .option("--yes", "with --plan: run the plan without asking")
    .option("--json", "print JSON")
    .action(
      act(async (opts) => {
        const r = await remote();
        return r ? r.commands.submit(r.target, opts) : (await import("../commands/submit.js")).submit({ ...opts, home: home() });
      }),
    );

  cli
    .command("status")
    .description("agents, their sessions and queue depths")
    .option("--agent <name>", "only this agent")
    .option("--json", "print JSON")
    .option("--watch", "keep showing it, redrawn in place (plain text: for CI logs and narrow terminals)")
    .option("--interval <seconds>", "with --watch: seconds between refreshes", "2")
    .action(
      act(async (opts) => {
        const r = opts.watch ? null : await remote();
        if (r) return r.commands.status(r.target, opts);
        return opts.watch
          ? (await import("../commands/status-watch.js")).statusWatch({ ...opts, home: home() })
          : (await import("../commands/status.js")).status({ ...opts, home: home() });
      }),
    );

  cli
    .command("tui")
    .description("the dashboard: agents, live panes, queues, throughput, workflows and events (q quits)")
    .action(act(async () => (await import("../commands/tui.js")).tui({ home: home() })));

  cli
    .command("web")
    .description("a one-time login code for the web dashboard (and, with a display, open it)")
    .option("--scope <scopes...>", "scopes of the browser session: read, submit, control, terminal (default: all)")
    .option("--read-only", "only the read scope")
    .option("--no-open", "print the address and code only")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/web.js")).web({ ...opts, home: home() })));

  cli
    .command("result")
    .description("show a task's result (without an id: the latest task's)")
    .argument("[id]", "task id (default: the latest task)")
    .option("--wait", "wait until the task has finished")
    .option("--summary", "add a short summary by the supervisor's model (needs supervisor.llm in swarm.yaml)")
    .option("--json", "print JSON")
    .action(
      act(async (id, opts) => {
        const r = opts.summary ? null : await remote();
        if (r && id === undefined)
          throw new (await import("../../core/index.js")).UsageError("result needs a task id with --url", {
            hint: "The latest task is found in a local home: claude-agent result ID --url URL.",
          });
        return r ? r.commands.result(r.target, id, opts) : (await import("../commands/result.js")).result(id, { ...opts, home: home() });
      }),
    );

  cli
    .command("cancel")
    .description("cancel a task: remove it from its queue, or interrupt it (Ctrl-C) in its pane")
    .argument("<id>", "task id")
    .option("--json", "print JSON")
    .action(
      act(async (id, opts) => {
        const r = await remote();
        return r ? r.commands.cancel(r.target, id, opts) : (await import("../commands/cancel.js")).cancel(id, { ...opts, home: home() });
      }),
    );

  cli
    .command("retry")
    .description("run an ended task again (failed, timed out, cancelled): a new task with the same agent, text and options")
    .argument("<id>", "task id")
    .option("--json", "print JSON: the new task's id, agent and whether it was created (false: retried before)")
    .addHelpText("after", "\nA failed task's item in `claude-agent inbox` does the same when approved (`claude-agent answer ITEM approve`).")
    .action(
      act(async (id, opts) => {
        const r = await remote();
        return r ? r.commands.retry(r.target, id, opts) : (await import("../commands/retry.js")).retry(id, { ...opts, home: home() });
      }),
    );

  cli
    .command("restart")
    .description("restart an agent session: the bridge kills it and starts it again, as after a crash (a task running there is retried)")
    .argument("<session>", "session name, as `status` lists it (e.g. backend-1)")
    .option("--json", "print JSON")
    .action(
      act(async (session, opts) => {
        if (await remote())
          throw new (await import("../../core/index.js")).UsageError("restart works on a local home, not with --url", {
            hint: "Run it on the swarm's machine: claude-agent restart SESSION --home HOME.",
          });
        return (await import("../commands/restart.js")).restart(session, { ...opts, home: home() });
      }),
    );
}
