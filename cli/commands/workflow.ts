import { ConfigError, findConfigFile, NotFoundError, loadConfig, NotRunningError, redactValues, UsageError } from "../../core/index.js";
import { connect, type SwarmClient } from "../../client/index.js";
import {
  agentLabels,
  InboxClient,
  parseWorkflow,
  readWorkflowFile,
  shellWarnings,
  WorkflowClient,
  type ExecutionState,
  type RenderMode,
} from "../../workflows/index.js";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeExecution, elapsed, exitCodeOf, summaryOf } from "./execution-table.js";
import { progressView } from "./execution-views.js";
import { StepPrompts } from "./step-prompts.js";
import { table } from "../format.js";
import { print, printError } from "../output.js";

/** `claude-agent workflow run|validate|list|show|cancel`, and the step table monitor.ts redraws. */

export interface RunOptions extends GlobalOptions {
  file?: string;
  params?: string[];
  wait?: boolean;
  json?: boolean;
  /** `--no-prompt` sets it false: with --wait on a terminal, print the command that answers a step instead of asking. */
  prompt?: boolean;
}

export async function run(fileArg: string | undefined, options: RunOptions): Promise<number> {
  const file = workflowFileOption(fileArg, options.file);
  const params = parseParamArgs(options.params ?? []);
  return withWorkflows(options, async (workflows, daemonAlive, swarm) => {
    const workflow = workflows.load(file);
    refuseCommaForm(
      params,
      workflow.params.map((p) => p.name),
    );
    const state = await workflows.start(workflow, params);
    if (!(await daemonAlive())) printError("warning: the swarm's daemon is not running; the execution starts when `claude-agent up` runs.\n");
    if (!options.wait) {
      if (options.json) printJson({ id: state.id, workflow: state.workflow, status: state.status, params: redactValues(state.params) });
      else print(`${state.id}\n`);
      return 0;
    }
    // Asked only where a person answers: a terminal on both ends, no --json, and not turned off.
    const asking = !options.json && options.prompt !== false && process.stdin.isTTY === true && process.stderr.isTTY === true;
    const followed = options.json
      ? await workflows.wait(state.id)
      : asking
        ? await followAsking(workflows, new InboxClient(swarm, workflows), state.id)
        : await follow(workflows, state.id);
    if (followed === null) {
      printError(`stopped waiting; execution ${state.id} keeps running (follow it again: claude-agent monitor ${state.id})\n`);
      return 130;
    }
    // Params and outputs are shown redacted; the engine keeps the raw values while the execution runs.
    const final = redactValues(followed);
    if (options.json) printJson(final);
    else print(`${describeExecution(final).join("\n")}\n`);
    return exitCodeOf(final);
  });
}

/**
 * Waits for an execution while showing each step's state as it changes on stderr (the step table
 * redrawn on a terminal, one line per change otherwise), with the command that answers a step
 * waiting for approval or input; returns the final state for stdout.
 */
async function follow(workflows: WorkflowClient, id: string): Promise<ExecutionState> {
  const view = progressView(process.stderr);
  let last: ExecutionState | null = null;
  for await (const raw of workflows.watch(id)) {
    last = redactValues(raw);
    view.show(last);
  }
  if (last === null) throw new NotFoundError(`no workflow execution "${id}"`);
  return last;
}

/**
 * `follow` with the prompts (step-prompts.ts) below the table on a terminal. Ctrl-C, at a
 * prompt or not, stops the waiting only: null, and the execution keeps running.
 */
async function followAsking(workflows: WorkflowClient, inbox: InboxClient, id: string): Promise<ExecutionState | null> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  const prompts = new StepPrompts({
    workflows,
    inbox,
    view: progressView(process.stderr),
    input: process.stdin,
    output: process.stderr,
    onInterrupt: onSignal,
  });
  process.on("SIGINT", onSignal);
  let last: ExecutionState | null = null;
  try {
    for await (const raw of workflows.watch(id, stop.signal)) {
      last = redactValues(raw);
      // After Ctrl-C nothing more is drawn: the last line says how to follow it again.
      if (!stop.signal.aborted) prompts.update(last);
    }
  } finally {
    process.off("SIGINT", onSignal);
    await prompts.close();
  }
  if (stop.signal.aborted) return null;
  if (last === null) throw new NotFoundError(`no workflow execution "${id}"`);
  return last;
}

export interface ValidateOptions extends GlobalOptions {
  config?: string;
  json?: boolean;
}

/** Exit 0 when valid; exit 2 listing every problem. Agents are checked against the best swarm config at hand. */
export async function validate(file: string, options: ValidateOptions): Promise<number> {
  const text = readWorkflowFile(file);
  const { agents, labels, runtimes, against, warning } = await agentsToCheck(options);
  if (warning !== null)
    printError(`warning: ${warning}
`);
  let problems: readonly string[] = [];
  let warnings: string[] = [];
  let summary: { name: string; steps: number } | null = null;
  try {
    const workflow = parseWorkflow(text, { file, agents, labels });
    summary = { name: workflow.name, steps: workflow.steps.length };
    // Steps known to go to an agent program are prompts; the others may run on a shell.
    const modeOf = (target: { agent?: string }): RenderMode | undefined => {
      const runtime = target.agent === undefined ? undefined : runtimes.get(target.agent);
      return runtime === undefined ? undefined : runtime === "shell" ? "shell" : "text";
    };
    warnings = shellWarnings(workflow, modeOf).map((w) => `${file}: ${w}; a shell agent refuses to run this step`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  const exitCode = problems.length > 0 ? 2 : 0;
  if (options.json) {
    printJson({
      file,
      valid: problems.length === 0,
      workflow: summary?.name ?? null,
      steps: summary?.steps ?? null,
      problems,
      warnings,
      agentsCheckedAgainst: against,
    });
    return exitCode;
  }
  for (const w of warnings) printError(`warning: ${w}\n`);
  if (summary !== null) {
    const checked = against === null ? "agent names NOT checked" : `agents checked against ${against}`;
    print(`${file}: valid: workflow "${summary.name}", ${summary.steps} step${summary.steps === 1 ? "" : "s"} (${checked})\n`);
    return exitCode;
  }
  printError(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
  return exitCode;
}

/** The running swarm's agents; else those of ./swarm.yaml or the home's; else none (and a warning saying so). */
interface AgentsToCheck {
  agents: string[] | undefined;
  /** Each known agent's effective labels, for steps with `needs:`. */
  labels: ReadonlyMap<string, readonly string[]> | undefined;
  /** Each known agent's runtime: templates of steps on agent programs are prompts, not shell. */
  runtimes: Map<string, string>;
  against: string | null;
  warning: string | null;
}

async function agentsToCheck(options: ValidateOptions): Promise<AgentsToCheck> {
  const home = homeOf(options).root;
  const known = (config: Parameters<typeof agentLabels>[0]) => ({
    agents: config.agents.map((a) => a.name),
    labels: agentLabels(config),
    runtimes: new Map(config.agents.map((a) => [a.name, a.runtime])),
  });
  if (options.config !== undefined) {
    const config = loadConfig({ explicit: options.config, cwd: process.cwd(), home });
    return { ...known(config), against: config.source, warning: null };
  }
  try {
    const swarm = await connect({ home });
    const found = known(swarm.config);
    await swarm.close();
    return { ...found, against: `the running swarm (${home})`, warning: null };
  } catch (error) {
    if (!(error instanceof NotRunningError)) throw error;
  }
  const none = { agents: undefined, labels: undefined, runtimes: new Map<string, string>(), against: null };
  const found = findConfigFile({ cwd: process.cwd(), home });
  if (found === null) {
    return { ...none, warning: `agent names not checked: no running swarm, and no swarm.yaml in ${process.cwd()} or ${home}` };
  }
  try {
    const config = loadConfig({ explicit: found, cwd: process.cwd(), home });
    return { ...known(config), against: found, warning: null };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const why = error.problems.map((p) => `\n  ${p}`).join("");
    return { ...none, warning: `agent names not checked: ${found} is not a valid swarm config:${why}` };
  }
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const all = redactValues(await workflows.list());
    if (options.json) return printJson(all.map(summaryOf));
    if (all.length === 0) return void print("no workflow executions yet (start one: claude-agent workflow run --file FILE)\n");
    const rows = all.map((s) => {
      const counts = Object.values(s.steps);
      const done = counts.filter((st) => st.status === "completed" || (st.status === "skipped" && st.skip === "condition")).length;
      return [s.id, s.workflow, s.status, `${done}/${counts.length}`, s.createdAt.replace("T", " ").slice(0, 19), elapsed(s.createdAt, s.finishedAt)];
    });
    print(`${table(["EXECUTION", "WORKFLOW", "STATUS", "STEPS DONE", "STARTED (UTC)", "TIME"], rows)}\n`);
  });
}

export async function show(id: string, options: GlobalOptions & { json?: boolean }): Promise<number> {
  return withWorkflows(options, async (workflows) => {
    const state = redactValues(await workflows.get(id));
    if (options.json) printJson(state);
    else print(`${describeExecution(state).join("\n")}\n`);
    return state.status === "running" ? 0 : exitCodeOf(state);
  });
}

export async function cancel(id: string, options: GlobalOptions & { json?: boolean; reason?: string }): Promise<void> {
  await withWorkflows(options, async (workflows) => {
    const before = await workflows.get(id);
    const state = await workflows.cancel(id, options.reason ?? "cancelled by a user");
    const cancelled = before.status === "running" && state.status === "cancelled";
    if (options.json) return printJson({ id, cancelled, status: state.status });
    print(cancelled ? `execution ${id} cancelled\n` : `execution ${id} had already ended: ${state.status}\n`);
  });
}

/** Connects, hands over a WorkflowClient (and a way to ask whether the daemon runs), closes both. */
export async function withWorkflows<T>(
  options: GlobalOptions,
  fn: (workflows: WorkflowClient, daemonAlive: () => Promise<boolean>, swarm: SwarmClient) => Promise<T>,
): Promise<T> {
  return withSwarm(options, async (swarm) => {
    const workflows = new WorkflowClient(swarm.client);
    try {
      return await fn(
        workflows,
        () =>
          swarm.client.status().then(
            (s) => s.daemon.alive,
            () => false,
          ),
        swarm.client,
      );
    } finally {
      await workflows.close();
    }
  });
}

function workflowFileOption(positional: string | undefined, flag: string | undefined): string {
  if (positional !== undefined && flag !== undefined && positional !== flag) throw new UsageError("give the workflow file once: --file FILE or as an argument");
  const file = flag ?? positional;
  if (file === undefined) throw new UsageError("--file is required", { hint: "claude-agent workflow run --file deploy.yaml --params env=prod" });
  return file;
}

/**
 * `--params a=1 b=2` or `--params a=1 --params b=2`: one word, one param; the value is
 * everything after the first `=`, commas and all. There is no comma-separated form: with
 * one, a value holding `,name=` (a branch name, a message from outside) set another param.
 */
export function parseParamArgs(values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of values) {
    const match = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/s.exec(pair);
    if (match === null)
      throw new UsageError(`--params: expected name=value, got ${JSON.stringify(pair)}`, { hint: "--params env=prod --params version=1.2.3" });
    const [, name = "", given = ""] = match;
    if (Object.hasOwn(params, name)) throw new UsageError(`--params: "${name}" is given twice`);
    params[name] = given;
  }
  return params;
}

/**
 * The comma-separated form is gone; a value that looks like it (`env=prod,version=1.2`, where
 * `version` is a param of this workflow) is refused rather than taken whole, which would
 * silently run with the default version.
 */
export function refuseCommaForm(params: Readonly<Record<string, string>>, known: readonly string[]): void {
  for (const [name, value] of Object.entries(params)) {
    const other = known.find((p) => value.includes(`,${p}=`));
    if (other === undefined) continue;
    throw new UsageError(`--params: the value of "${name}" contains ",${other}=": give each param as a word of its own`, {
      hint: `--params ${name}=… ${other}=… (a value that really contains ",${other}=" can be passed through the SDK: runWorkflow(file, { ${name}: "…" }))`,
    });
  }
}
