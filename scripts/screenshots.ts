/**
 * The README's pictures of a real agent at work, made again from scratch:
 *
 *   npm run build && npm run screenshots
 *
 * The real Claude Code (the pinned devDependency) runs in a real swarm,
 * started the way the README tells a newcomer to: `init` in a git project
 * (it picks Claude Code, finding a login), `up --detach`, then
 * `submit --task "Create user auth system" --wait` in a terminal. The one
 * stand-in is the model: a scripted Anthropic server on loopback
 * (test/fixtures/llm/anthropic.ts) answers as a coding agent would
 * (screenshots/coding-turn.ts); the tools it asks for (writing files,
 * running the tests) are run for real by Claude Code. Writes
 * docs/first-task-live.{ansi,png} (the task running: its agent, elapsed time
 * and live tail), docs/first-task.{ansi,png} (its result) and
 * docs/tui-dashboard.{ansi,txt,png} (the dashboard while the same task runs
 * on an interactive Claude Code, whose own TUI shows in the pane panel).
 * Everything it starts is stopped, and its folder removed, even when it fails
 * or is interrupted. (It runs as `node --import tsx`, not through the tsx
 * command, whose signal relay SIGKILLs a program that takes more than 30 ms
 * to answer Ctrl-C: that would cut the teardown short.)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { startAnthropicServer } from "../test/fixtures/llm/anthropic.js";
import { runCliAsync } from "../test/helpers/cli.js";
import { TestTerminal } from "../test/tui/terminal.js";
import { codingTurn, DEMO_TASK, TEST_COMMAND } from "./screenshots/coding-turn.js";
import { ensureRenderer, frameWhen, savePicture, trimBottom } from "./screenshots/pictures.js";
import { makeStage, type Stage } from "./screenshots/stage.js";
import { Teardown } from "./screenshots/teardown.js";

const ROOT = resolve(import.meta.dirname, "..");
const SUBMIT = `claude-agent submit --task "${DEMO_TASK}" --wait`;
const SPINNER_LINE = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] task \S+ · running on backend-api \(backend-api-1\) · /m;

const teardown = new Teardown();

async function main(): Promise<void> {
  for (const needed of ["dist/cli/main.js", "node_modules/.bin/claude"])
    if (!existsSync(join(ROOT, needed))) throw new Error(`${needed} is missing: run npm ci and npm run build first`);
  ensureRenderer();

  const llm = await startAnthropicServer({ script: codingTurn });
  teardown.add(() => llm.close());
  const stage = makeStage(llm.url);
  teardown.add(() => stage.remove());
  // From here on this process is the demo's user: its environment is the one the terminals and the CLI get.
  Object.assign(process.env, stage.env);
  const cli = async (args: readonly string[]) => {
    teardown.check();
    const result = await runCliAsync(args, { cwd: stage.project });
    if (result.exitCode !== 0) throw new Error(`claude-agent ${args.join(" ")} exited ${result.exitCode}:\n${result.stdout}${result.stderr}`);
    return result;
  };

  console.log(`in ${stage.project}: claude-agent init`);
  process.stdout.write((await cli(["init"])).stdout);
  configure(stage, { interactive: false });
  // Registered before `up`: a start that fails half way leaves parts to stop too.
  teardown.add(() => runCliAsync(["down", "--force"], { cwd: stage.project }));
  await cli(["up", "--detach"]);
  await firstTask(stage);

  // The dashboard: the same task on backend-api as an interactive Claude Code, in a fresh worktree.
  await cli(["down", "--force"]);
  await cli(["worktrees", "clean", "--agent", "backend-api"]);
  configure(stage, { interactive: true });
  await cli(["up", "--detach"]);
  await dashboard(stage);
}

/**
 * swarm.yaml as `init` wrote it, with what a user would add for this task:
 * backend-api may run the tests without asking (`--allowedTools`), and
 * optionally keeps Claude Code's own TUI open (`mode: interactive`). The
 * HTTP API is off: its default port may be taken on this machine, and the
 * pictures do not need it.
 */
function configure(stage: Stage, options: { interactive: boolean }): void {
  const file = join(stage.project, "swarm.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  const agents = (doc.toJS() as { agents: { name: string }[] }).agents;
  const index = agents.findIndex((agent) => agent.name === "backend-api");
  if (index < 0) throw new Error("init wrote no backend-api agent");
  doc.setIn(["agents", index, "args"], doc.createNode(["--permission-mode", "acceptEdits", "--allowedTools", "Bash(node --test:*)"], { flow: true }));
  if (options.interactive) doc.setIn(["agents", index, "mode"], "interactive");
  doc.set("api", false);
  writeFileSync(file, doc.toString());
}

/** `submit --wait` in a 120×32 terminal: a frame while the agent runs the tests, and the result. */
async function firstTask(stage: Stage): Promise<void> {
  teardown.check();
  const term = TestTerminal.start({ width: 120, height: 32 });
  teardown.add(() => term.close());
  // A prompt before the command and none after it: the second PROMPT_COMMAND empties PS1 once the command is done.
  term.run(`cd ${stage.project} && PROMPT_COMMAND='PROMPT_COMMAND="PS1="' && clear`);
  await frameWhen(term, (text) => text.trim() === "$", "a clear terminal");
  term.run(SUBMIT);
  console.log(`$ ${SUBMIT}`);
  const live = await frameWhen(
    term,
    (text) => SPINNER_LINE.test(text) && text.includes(`⚙ Bash: ${TEST_COMMAND}`) && text.match(/^ {2}│ /gm)?.length === 6,
    "the agent running the tests",
  );
  savePicture("first-task-live", trimBottom(live));
  const done = await frameWhen(term, (text) => /^recording: {3}\S+\.cast/m.test(text) && /: completed · /.test(text), "the result", 120_000);
  if (!done.text.includes("changed: src/auth.js, test/auth.test.js")) throw new Error(`the task did not change the expected files:\n${done.text}`);
  savePicture("first-task", trimBottom(done));
}

/** `claude-agent tui` at 120×35 while the interactive agent does the task: its TUI in the pane panel. */
async function dashboard(stage: Stage): Promise<void> {
  teardown.check();
  const term = TestTerminal.start({ width: 120, height: 35 });
  teardown.add(() => term.close());
  term.run(`cd ${stage.project} && clear && exec claude-agent tui`);
  await frameWhen(term, (text) => /backend-api-1 +claude +idle/.test(text) && /5 sessions \(5 idle\)/.test(text), "the dashboard with the agents idle");
  console.log(`dashboard open; ${SUBMIT}`);
  const submitted = runCliAsync(["submit", "--task", DEMO_TASK, "--wait", "--json"], { cwd: stage.project });
  const working = await frameWhen(
    term,
    (text) => /backend-api-1 +claude +busy/.test(text) && text.includes(`$ ${TEST_COMMAND}`) && /esc to interrupt/.test(text),
    "the interactive agent running the tests",
  );
  savePicture("tui-dashboard", working, { text: true });
  const result = await submitted;
  const status = (JSON.parse(result.stdout || "{}") as { status?: string }).status;
  if (status !== "completed") throw new Error(`the dashboard's task ended ${status ?? "without a result"}:\n${result.stdout}${result.stderr}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    console.error(`${signal}: tearing down`);
    void teardown.run().finally(() => process.exit(130));
  });

try {
  await main();
} catch (error) {
  // After Ctrl-C, what failed is only what the teardown took away.
  if (!teardown.begun) console.error(`screenshots: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await teardown.run();
}
