import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** What outlives Redis: `tasks`, `history …`, `replay`, `diff`, `audit`, `memory …`, `backup`, `restore`, `export`. */
export function historyCommands(cli: Command, { home, act }: ProgramContext): void {
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
    .action(act(async (opts) => (await import("../commands/tasks.js")).tasks({ ...opts, home: home() })));

  const history = cli
    .command("history")
    .description("the durable history of tasks, events, workflow executions and actions (SQLite in the home, or PostgreSQL)");
  history
    .command("show")
    .description("a task's full record: text, result, output, timings, who submitted it, its events")
    .argument("<id>", "task id")
    .option("--json", "print JSON: { task, events }")
    .action(act(async (id, opts) => (await import("../commands/history.js")).show(id, { ...opts, home: home() })));
  history
    .command("prune")
    .description("forget finished tasks, events and audit entries past the retention (database.retention, default 1 year)")
    .option("--older-than <when>", "instead of the retention: a duration (90d) or a date")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/history.js")).prune({ ...opts, home: home() })));

  cli
    .command("replay")
    .description("play a task's pane as it happened (the flight recorder's asciicast); Ctrl-C or q stops it")
    .argument("<id>", "task id")
    .option("--speed <n>", "playback speed (2 plays twice as fast)", "1")
    .option("--max-idle <s>", "the longest pause, in seconds", "2")
    .option("--json", "print the recording: { id, file, header, events }")
    .action(act(async (id, opts) => (await import("../commands/replay.js")).replay(id, { ...opts, home: home() })));

  cli
    .command("diff")
    .description("the patch of what a worktree agent's task changed (kept beside its output, cut at 2 MB, secrets redacted)")
    .argument("<id>", "task id")
    .option("--json", "print JSON: { id, file, bytes, patch }")
    .action(act(async (id, opts) => (await import("../commands/diff.js")).diff(id, { ...opts, home: home() })));

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
    .action(act(async (opts) => (await import("../commands/audit.js")).audit({ ...opts, home: home() })));

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
    .action(act(async (text, opts) => (await import("../commands/memory.js")).add(text, { ...opts, home: home() })));
  memory
    .command("search")
    .description("the best entries for a text: full-text ranking fused with vector similarity when llm.embeddings is set, else full-text")
    .argument("<text>", "what to look for (any text: searched for as words)")
    .option("--agent <name>", "what this agent would see: the swarm's, its own and its repository's entries")
    .option("--repo <path>", "the swarm's and this repository's entries")
    .option("--limit <n>", "how many (default 10)")
    .option("--json", "print JSON: { entries, mode, warning }")
    .action(act(async (text, opts) => (await import("../commands/memory.js")).search(text, { ...opts, home: home() })));
  memory
    .command("list")
    .description("entries, newest first")
    .option("--agent <name>", "what this agent would see")
    .option("--repo <path>", "the swarm's and this repository's entries")
    .option("--limit <n>", "how many (default 100)")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/memory.js")).list({ ...opts, home: home() })));
  memory
    .command("forget")
    .description("delete an entry")
    .argument("<id>", "entry id (from add, list or search)")
    .option("--json", "print JSON")
    .action(act(async (id, opts) => (await import("../commands/memory.js")).forget(id, { ...opts, home: home() })));

  cli
    .command("backup")
    .description("write the swarm's Redis state and its history, consistent with each other, to one file (needs its Redis running)")
    .option("--out <file>", "FILE.tar.zst (zstd; .tar.gz when zstd is not installed) or FILE.tar.gz")
    .option("--json", "print the backup's manifest as JSON")
    .action(act(async (opts) => (await import("../commands/backup.js")).backup({ ...opts, home: home() })));

  cli
    .command("restore")
    .description("put a backup back: replaces the swarm's Redis keys and its history (the swarm must be stopped)")
    .argument("<file>", "a file written by `backup`")
    .option("--force", "restore a backup of another swarm into this home")
    .option("--json", "print the restored backup's manifest as JSON")
    .action(act(async (file, opts) => (await import("../commands/backup.js")).restore(file, { ...opts, home: home() })));

  cli
    .command("export")
    .description('the history as JSON lines ({"table", "row"} per line): tasks, events, executions, audit, memory')
    .option("--format <format>", "jsonl (the only one)", "jsonl")
    .option("--out <file>", "write to this file instead of stdout")
    .option("--tables <list>", "only these tables, comma-separated")
    .action(act(async (opts) => (await import("../commands/backup.js")).exportHistory({ ...opts, home: home() })));
}
