#!/usr/bin/env node
import { Command, Option } from "commander";
import { reportError } from "./errors.js";
import { stdoutClosed } from "./stdout-closed.js";

/**
 * Every command is declared here and imported lazily, so `submit` does not
 * load the bridge or tmux code. Each command module exports one async function.
 */
function program(): Command {
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
  const remote = async () => {
    const { remoteTarget } = await import("./commands/remote.js");
    const target = remoteTarget({ ...cli.opts<{ home?: string; url?: string; token?: string }>() });
    return target ? { target, commands: await import("./commands/remote.js") } : null;
  };

  cli
    .command("init")
    .description("write a commented swarm.yaml: the specialists on the agent programs found here, or --template")
    .option("--file <path>", "where to write it", "swarm.yaml")
    .option("--force", "overwrite an existing file")
    .option("--template <name>", "shell | claude | mixed | devops (default: the agent programs found here, shell when none can run)")
    .action(async (opts) => (await import("./commands/init.js")).init({ ...opts, home: home() }));

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
    .action(async (opts) => (await import("./commands/up.js")).up({ ...opts, home: home() }));

  // The keeper of an `up --detach` swarm (cli/commands/keep.ts): not for people, so not in --help.
  cli
    .command("keep", { hidden: true })
    .requiredOption("--config <file>", "swarm.yaml of the daemon it keeps")
    .option("--unsafe-allow-redis-without-auth", "passed on to the daemon")
    .option("--unsafe-allow-redis-without-tls", "passed on to the daemon")
    .option("--host <name>", "passed on to the daemon")
    .action(async (opts) => (await import("./commands/keep.js")).keep({ ...opts, home: home() }));

  cli
    .command("down")
    .description("stop the swarm: its processes, its tmux sessions and the embedded Redis")
    .option("--json", "print what was stopped as JSON")
    .option("--drain", "stop intake, wait for the running tasks to end, then stop (waiting tasks stay queued for the next up)")
    .option("--force", "stop at once without asking, even with tasks running (they run again from the start at the next up)")
    .action(async (opts) => (await import("./commands/down.js")).down({ ...opts, home: home() }));

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
    .action(async (opts) => {
      const r = await remote();
      return r ? r.commands.submit(r.target, opts) : (await import("./commands/submit.js")).submit({ ...opts, home: home() });
    });

  cli
    .command("status")
    .description("agents, their sessions and queue depths")
    .option("--agent <name>", "only this agent")
    .option("--json", "print JSON")
    .option("--watch", "keep showing it, redrawn in place (plain text: for CI logs and narrow terminals)")
    .option("--interval <seconds>", "with --watch: seconds between refreshes", "2")
    .action(async (opts) => {
      const r = opts.watch ? null : await remote();
      if (r) return r.commands.status(r.target, opts);
      return opts.watch
        ? (await import("./commands/status-watch.js")).statusWatch({ ...opts, home: home() })
        : (await import("./commands/status.js")).status({ ...opts, home: home() });
    });

  cli
    .command("tui")
    .description("the dashboard: agents, live panes, queues, throughput, workflows and events (q quits)")
    .action(async () => (await import("./commands/tui.js")).tui({ home: home() }));

  cli
    .command("web")
    .description("a one-time login code for the web dashboard (and, with a display, open it)")
    .option("--scope <scopes...>", "scopes of the browser session: read, submit, control, terminal (default: all)")
    .option("--read-only", "only the read scope")
    .option("--no-open", "print the address and code only")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/web.js")).web({ ...opts, home: home() }));

  cli
    .command("result")
    .description("show a task's result (without an id: the latest task's)")
    .argument("[id]", "task id (default: the latest task)")
    .option("--wait", "wait until the task has finished")
    .option("--summary", "add a short summary by the supervisor's model (needs supervisor.llm in swarm.yaml)")
    .option("--json", "print JSON")
    .action(async (id, opts) => {
      const r = opts.summary ? null : await remote();
      if (r && id === undefined)
        throw new (await import("../core/index.js")).UsageError("result needs a task id with --url", {
          hint: "The latest task is found in a local home: claude-agent result ID --url URL.",
        });
      return r ? r.commands.result(r.target, id, opts) : (await import("./commands/result.js")).result(id, { ...opts, home: home() });
    });

  cli
    .command("cancel")
    .description("cancel a task: remove it from its queue, or interrupt it (Ctrl-C) in its pane")
    .argument("<id>", "task id")
    .option("--json", "print JSON")
    .action(async (id, opts) => {
      const r = await remote();
      return r ? r.commands.cancel(r.target, id, opts) : (await import("./commands/cancel.js")).cancel(id, { ...opts, home: home() });
    });

  cli
    .command("restart")
    .description("restart an agent session: the bridge kills it and starts it again, as after a crash (a task running there is retried)")
    .argument("<session>", "session name, as `status` lists it (e.g. backend-1)")
    .option("--json", "print JSON")
    .action(async (session, opts) => {
      if (await remote())
        throw new (await import("../core/index.js")).UsageError("restart works on a local home, not with --url", {
          hint: "Run it on the swarm's machine: claude-agent restart SESSION --home HOME.",
        });
      return (await import("./commands/restart.js")).restart(session, { ...opts, home: home() });
    });

  const workflow = cli
    .command("workflow")
    .description("run YAML workflows (a DAG of agent tasks) and look at their executions; `workflow --file F [--params …]` is `workflow run`")
    .addHelpText(
      "after",
      "\nThe swarm's daemon runs executions durably: they carry on after a restart.\nFormat and examples: docs/WORKFLOWS.md and workflows/examples/.",
    );
  // The default: the design's `claude-agent workflow --file deploy.yaml --params env=prod` is `workflow run`.
  workflow
    .command("run", { isDefault: true })
    .description("start an execution of a workflow file; prints its id (the default: `workflow --file F` is `workflow run --file F`)")
    .argument("[file]", "the workflow file (same as --file)")
    .option("--file <file>", "the workflow file (YAML)")
    .option("--params <name=value...>", "workflow params, one name=value per word: --params env=prod version=1.2 (a value may contain ',' and '=')")
    .option("--wait", "wait for the end and print the step table; exit 0 completed, 1 failed or cancelled (130: Ctrl-C stopped the waiting)")
    .option("--no-prompt", "with --wait on a terminal: do not ask at an approval or input step, only print the command that answers it")
    .option("--json", "print JSON (with --wait: the final execution state)")
    .action(async (file, opts) => (await import("./commands/workflow.js")).run(file, { ...opts, home: home() }));
  workflow
    .command("validate")
    .description("check a workflow file; exit 0 when valid, 2 listing every problem")
    .argument("<file>", "the workflow file (YAML)")
    .option("--config <file>", "check agent names against this swarm.yaml (default: the running swarm, else ./swarm.yaml, else the home's)")
    .option("--json", "print JSON")
    .action(async (file, opts) => (await import("./commands/workflow.js")).validate(file, { ...opts, home: home() }));
  workflow
    .command("list")
    .description("workflow executions, newest first")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/workflow.js")).list({ ...opts, home: home() }));
  workflow
    .command("show")
    .description("an execution's status and step table")
    .argument("<id>", "execution id")
    .option("--json", "print the whole execution state as JSON")
    .action(async (id, opts) => (await import("./commands/workflow.js")).show(id, { ...opts, home: home() }));
  workflow
    .command("cancel")
    .description("cancel an execution and the tasks of its running steps")
    .argument("<id>", "execution id")
    .option("--reason <text>", "why (recorded in the execution)")
    .option("--json", "print JSON")
    .action(async (id, opts) => (await import("./commands/workflow.js")).cancel(id, { ...opts, home: home() }));

  cli
    .command("monitor")
    .description("follow a workflow execution live until it ends (a table on a terminal, lines otherwise)")
    .argument("[id]", "execution id (same as --execution-id; default: the latest execution)")
    .option("--execution-id <id>", "the execution to follow")
    .option("--json", "one JSON object per change")
    .action(async (id, opts) => (await import("./commands/monitor.js")).monitor(id, { ...opts, home: home() }));

  cli
    .command("approve")
    .description("approve a workflow step that waits for approval")
    .argument("<id>", "execution id")
    .argument("<step>", "step id")
    .option("--json", "print JSON")
    .action(async (id, step, opts) => {
      const r = await remote();
      return r ? r.commands.approve(r.target, id, step, opts) : (await import("./commands/approve.js")).approve(id, step, { ...opts, home: home() });
    });

  cli
    .command("reject")
    .description("reject a workflow step that waits for approval (it fails; its on_failure policy applies)")
    .argument("<id>", "execution id")
    .argument("<step>", "step id")
    .option("--reason <text>", "why (recorded in the execution)")
    .option("--json", "print JSON")
    .action(async (id, step, opts) => {
      const r = await remote();
      return r ? r.commands.reject(r.target, id, step, opts) : (await import("./commands/approve.js")).reject(id, step, { ...opts, home: home() });
    });

  cli
    .command("inbox")
    .description("everything waiting for a person (approvals, input steps), oldest first; with ITEM, the whole item")
    .argument("[item]", "an item id (or a unique prefix)")
    .option("--all", "recent items of any status, newest first")
    .option("--json", "print JSON")
    .action(async (item, opts) => (await import("./commands/inbox.js")).inbox(item, { ...opts, home: home() }));

  cli
    .command("answer")
    .description("answer an inbox item: approve|deny for an approval, VALUE or --field NAME=VALUE for input (asks on a terminal when given nothing)")
    .argument("<item>", "the item id (or a unique prefix)")
    .argument("[value]", "approve, deny, or the answer of an input item's only question")
    .option("--field <name=value...>", "an answer by question name; repeat for several")
    .option("--json-file <file>", 'answers as a JSON object ({"app": "nginx"}); - for stdin')
    .option("--reason <text>", "with deny: why (recorded)")
    .option("--json", "print the answered item as JSON")
    .action(async (item, value, opts) => (await import("./commands/answer.js")).answer(item, value, { ...opts, home: home() }));

  const worktrees = cli.command("worktrees").description("the agents' git worktrees ($CLAUDE_AGENT_HOME/worktrees/<agent>-<n>)");
  worktrees
    .command("list")
    .description("every worktree: its branch, uncommitted changes, and whether its agent is configured and running")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/worktrees.js")).list({ ...opts, home: home() }));
  worktrees
    .command("clean")
    .description("remove worktrees of agents no longer configured or not running; uncommitted work is saved to refs/claude-agent/wip/… first")
    .option("--agent <name>", "only this agent's worktrees")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/worktrees.js")).clean({ ...opts, home: home() }));

  cli
    .command("attach")
    .description("attach your terminal to an agent's tmux session (detach with C-b d)")
    .argument("<agent>", "agent name (its first replica) or session name such as backend-api-2")
    .option("--read-only", "watch without being able to type")
    .action(async (agent, opts) => (await import("./commands/attach.js")).attach(agent, { ...opts, home: home() }));

  cli
    .command("logs")
    .description("the swarm's events (task and agent lifecycle)")
    .argument("[agent]", "only events of this agent")
    .option("-f, --follow", "keep printing new events")
    .option("-n, --lines <n>", "how many past events to show", "50")
    .option("--json", "one JSON object per line")
    .action(async (agent, opts) => (await import("./commands/logs.js")).logs(agent, { ...opts, home: home() }));

  cli
    .command("tasks")
    .description("past and present tasks from the history store (kept after Redis forgets them), newest first")
    .option("--agent <name>", "only this agent's tasks")
    .option("--status <list>", "only these statuses, comma-separated (completed,failed,timeout,cancelled,rejected,queued,running)")
    .option("--workflow <name>", "only tasks of this workflow (its name or an execution id)")
    .option("--since <when>", "submitted since: a duration (1d, 12h, 90m) or a date (2026-12-01)")
    .option("--until <when>", "submitted before: a duration ago or a date")
    .option("--search <text>", "full-text search over task text, answer, reason and output (matches in the task text first); any text is searched for as words")
    .option("--limit <n>", "tasks per page (default 50, at most 1000)")
    .option("--cursor <c>", "the next page, as printed after the previous one")
    .option("--json", "print JSON: { tasks, next }")
    .action(async (opts) => (await import("./commands/tasks.js")).tasks({ ...opts, home: home() }));

  const history = cli
    .command("history")
    .description("the durable history of tasks, events, workflow executions and actions (SQLite in the home, or PostgreSQL)");
  history
    .command("show")
    .description("a task's full record: text, result, output, timings, who submitted it, its events")
    .argument("<id>", "task id")
    .option("--json", "print JSON: { task, events }")
    .action(async (id, opts) => (await import("./commands/history.js")).show(id, { ...opts, home: home() }));
  history
    .command("prune")
    .description("forget finished tasks, events and audit entries past the retention (database.retention, default 1 year)")
    .option("--older-than <when>", "instead of the retention: a duration (90d) or a date")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/history.js")).prune({ ...opts, home: home() }));

  cli
    .command("replay")
    .description("play a task's pane as it happened (the flight recorder's asciicast); Ctrl-C or q stops it")
    .argument("<id>", "task id")
    .option("--speed <n>", "playback speed (2 plays twice as fast)", "1")
    .option("--max-idle <s>", "the longest pause, in seconds", "2")
    .option("--json", "print the recording: { id, file, header, events }")
    .action(async (id, opts) => (await import("./commands/replay.js")).replay(id, { ...opts, home: home() }));

  cli
    .command("audit")
    .description("the append-only log of actions: who submitted, cancelled, approved, rejected, ran or changed what, and through which interface")
    .option("--since <when>", "a duration (7d, 12h) or a date (2026-12-01)")
    .option("--until <when>", "a duration ago or a date")
    .option("--actor <who>", "only this actor (user@host, an API token's name, workflow:<id>)")
    .option(
      "--action <name>",
      "only this action (task.submit, task.cancel, step.approve, step.reject, workflow.run, memory.add, …) or a prefix ending in . (task.)",
    )
    .option("--target <id>", "only actions on this task, execution/step or memory entry")
    .option("--limit <n>", "entries per page (default 100)")
    .option("--cursor <c>", "the next page, as printed after the previous one")
    .option("--json", "print JSON: { entries, next }")
    .action(async (opts) => (await import("./commands/audit.js")).audit({ ...opts, home: home() }));

  const memory = cli
    .command("memory")
    .description(
      "what the swarm remembers across sessions: entries for the swarm, an agent or a repository, put into agents' prompts when their `memory.inject` is on",
    );
  memory
    .command("add")
    .description("remember something (one fact per entry); prints its id")
    .argument("<text>", "the entry")
    .option("--agent <name>", "only for this agent")
    .option("--repo <path>", "only for agents working in this repository")
    .option("--expires <duration>", "forget it after this long (30d, 12h); default: memory.expire, else never")
    .option("--json", "print the entry as JSON")
    .action(async (text, opts) => (await import("./commands/memory.js")).add(text, { ...opts, home: home() }));
  memory
    .command("search")
    .description("the best entries for a text: full-text ranking fused with vector similarity when llm.embeddings is set, else full-text")
    .argument("<text>", "what to look for (any text: searched for as words)")
    .option("--agent <name>", "what this agent would see: the swarm's, its own and its repository's entries")
    .option("--repo <path>", "the swarm's and this repository's entries")
    .option("--limit <n>", "how many (default 10)")
    .option("--json", "print JSON: { entries, mode, warning }")
    .action(async (text, opts) => (await import("./commands/memory.js")).search(text, { ...opts, home: home() }));
  memory
    .command("list")
    .description("entries, newest first")
    .option("--agent <name>", "what this agent would see")
    .option("--repo <path>", "the swarm's and this repository's entries")
    .option("--limit <n>", "how many (default 100)")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/memory.js")).list({ ...opts, home: home() }));
  memory
    .command("forget")
    .description("delete an entry")
    .argument("<id>", "entry id (from add, list or search)")
    .option("--json", "print JSON")
    .action(async (id, opts) => (await import("./commands/memory.js")).forget(id, { ...opts, home: home() }));

  cli
    .command("backup")
    .description("write the swarm's Redis state and its history, consistent with each other, to one file (needs its Redis running)")
    .option("--out <file>", "FILE.tar.zst (zstd; .tar.gz when zstd is not installed) or FILE.tar.gz")
    .option("--json", "print the backup's manifest as JSON")
    .action(async (opts) => (await import("./commands/backup.js")).backup({ ...opts, home: home() }));

  cli
    .command("restore")
    .description("put a backup back: replaces the swarm's Redis keys and its history (the swarm must be stopped)")
    .argument("<file>", "a file written by `backup`")
    .option("--force", "restore a backup of another swarm into this home")
    .option("--json", "print the restored backup's manifest as JSON")
    .action(async (file, opts) => (await import("./commands/backup.js")).restore(file, { ...opts, home: home() }));

  cli
    .command("export")
    .description('the history as JSON lines ({"table", "row"} per line): tasks, events, executions, audit, memory')
    .option("--format <format>", "jsonl (the only one)", "jsonl")
    .option("--out <file>", "write to this file instead of stdout")
    .option("--tables <list>", "only these tables, comma-separated")
    .action(async (opts) => (await import("./commands/backup.js")).exportHistory({ ...opts, home: home() }));

  cli
    .command("login")
    .description("sign an agent's program in (claude, codex, gemini, qwen), in the agent's own config folder, on this terminal")
    .argument("<agent>", "the agent")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .action(async (agent, opts) => (await import("./commands/login.js")).login(agent, { ...opts, home: home() }));

  cli
    .command("doctor")
    .description("check tmux, redis-server, Node, the home and Redis, list the agent programs installed (and ready), and say how to fix problems")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/doctor.js")).doctor({ ...opts, home: home() }));

  const notify = cli
    .command("notify")
    .description("notifications (notify: in swarm.yaml): webhooks, desktop, a command of yours")
    .addHelpText("after", "\nThe daemon sends them as events happen; targets, events and payloads: docs/NOTIFY.md.");
  notify
    .command("test")
    .description("send a test notification to each target now, from this process (no daemon needed); exit 1 if one fails")
    .option("--target <name>", "only this target (its `name`, or type and position such as webhook-1)")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .option("--json", "print JSON: { ok, targets }")
    .action(async (opts) => (await import("./commands/notify.js")).notifyTest({ ...opts, home: home() }));

  const api = cli.command("api").description("the HTTP API's tokens (the API itself runs in the daemon: api: in swarm.yaml)");
  const token = api.command("token").description("bearer tokens for the HTTP API and /mcp (stored hashed)");
  token
    .command("create")
    .description("create a token and print it once")
    .option("--name <name>", "a name for the token (shown in the audit trail)")
    .option("--read-only", "only the read scope")
    .option("--scope <scopes...>", "scopes: read, submit, control, terminal (default: read,submit,control)")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/api-token.js")).create({ ...opts, home: home() }));
  token
    .command("list")
    .description("the tokens: name, id, scopes, creation time (never the token)")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/api-token.js")).list({ ...opts, home: home() }));
  token
    .command("revoke")
    .description("revoke a token by name or id (within a second)")
    .argument("<name>", "token name or id")
    .option("--json", "print JSON")
    .action(async (name, opts) => (await import("./commands/api-token.js")).revoke(name, { ...opts, home: home() }));

  cli
    .command("mcp")
    .description("an MCP server on stdio for this swarm (claude mcp add swarm -- claude-agent mcp)")
    .action(async () => {
      const r = await remote();
      return r ? r.commands.mcp(r.target) : (await import("./commands/mcp.js")).mcp({ home: home() });
    });

  cli
    .command("demo")
    .description("start a demo swarm of shell specialists, send it real tasks, show the results")
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

// `claude-agent … | head`: a reader that stops reading is not an error of ours (no stack trace).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    // The daemon (`up`) stops cleanly instead: it registered for this in stdout-closed.ts.
    if (error.code === "EPIPE") return void (stdoutClosed() || process.exit(process.exitCode ?? 0));
    throw error;
  });
}

const code = await main(process.argv);
process.exitCode = code;
// Let stdout drain and exit naturally; a forgotten handle must not keep a CLI alive.
setTimeout(() => process.exit(code), 1000).unref();
