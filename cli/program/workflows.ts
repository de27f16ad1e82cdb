import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** Workflows and what waits for a person: `workflow …`, `monitor`, `approve`, `reject`, `inbox`, `answer`. */
export function workflowCommands(cli: Command, { home, remote, act }: ProgramContext): void {
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
    .action(act(async (file, opts) => (await import("../commands/workflow.js")).run(file, { ...opts, home: home() })));
  workflow
    .command("validate")
    .description("check a workflow file; exit 0 when valid, 2 listing every problem")
    .argument("<file>", "the workflow file (YAML)")
    .option("--config <file>", "check agent names against this swarm.yaml (default: the running swarm, else ./swarm.yaml, else the home's)")
    .option("--json", "print JSON")
    .action(act(async (file, opts) => (await import("../commands/workflow.js")).validate(file, { ...opts, home: home() })));
  workflow
    .command("list")
    .description("workflow executions, newest first")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/workflow.js")).list({ ...opts, home: home() })));
  workflow
    .command("show")
    .description("an execution's status and step table")
    .argument("<id>", "execution id")
    .option("--json", "print the whole execution state as JSON")
    .action(act(async (id, opts) => (await import("../commands/workflow.js")).show(id, { ...opts, home: home() })));
  workflow
    .command("cancel")
    .description("cancel an execution and the tasks of its running steps")
    .argument("<id>", "execution id")
    .option("--reason <text>", "why (recorded in the execution)")
    .option("--json", "print JSON")
    .action(act(async (id, opts) => (await import("../commands/workflow.js")).cancel(id, { ...opts, home: home() })));

  cli
    .command("monitor")
    .description("follow a workflow execution live until it ends (a table on a terminal, lines otherwise)")
    .argument("[id]", "execution id (same as --execution-id; default: the latest execution)")
    .option("--execution-id <id>", "the execution to follow")
    .option("--json", "one JSON object per change")
    .action(act(async (id, opts) => (await import("../commands/monitor.js")).monitor(id, { ...opts, home: home() })));

  cli
    .command("approve")
    .description("approve a workflow step that waits for approval")
    .argument("<id>", "execution id")
    .argument("<step>", "step id")
    .option("--json", "print JSON")
    .action(
      act(async (id, step, opts) => {
        const r = await remote();
        return r ? r.commands.approve(r.target, id, step, opts) : (await import("../commands/approve.js")).approve(id, step, { ...opts, home: home() });
      }),
    );

  cli
    .command("reject")
    .description("reject a workflow step that waits for approval (it fails; its on_failure policy applies)")
    .argument("<id>", "execution id")
    .argument("<step>", "step id")
    .option("--reason <text>", "why (recorded in the execution)")
    .option("--json", "print JSON")
    .action(
      act(async (id, step, opts) => {
        const r = await remote();
        return r ? r.commands.reject(r.target, id, step, opts) : (await import("../commands/approve.js")).reject(id, step, { ...opts, home: home() });
      }),
    );

  cli
    .command("inbox")
    .description("everything waiting for a person (approvals, input steps), oldest first; with ITEM, the whole item")
    .argument("[item]", "an item id (or a unique prefix)")
    .option("--all", "recent items of any status, newest first")
    .option("--json", "print JSON")
    .action(act(async (item, opts) => (await import("../commands/inbox.js")).inbox(item, { ...opts, home: home() })));

  cli
    .command("answer")
    .description("answer an inbox item: approve|deny for an approval, VALUE or --field NAME=VALUE for input (asks on a terminal when given nothing)")
    .argument("<item>", "the item id (or a unique prefix)")
    .argument("[value]", "approve, deny, or the answer of an input item's only question")
    .option("--field <name=value...>", "an answer by question name; repeat for several")
    .option("--json-file <file>", 'answers as a JSON object ({"app": "nginx"}); - for stdin')
    .option("--reason <text>", "with deny: why (recorded)")
    .option("--json", "print the answered item as JSON")
    .action(act(async (item, value, opts) => (await import("../commands/answer.js")).answer(item, value, { ...opts, home: home() })));
}
