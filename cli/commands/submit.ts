import { checkTaskText, limitsOf, MAX_TASK_BYTES, parseNeeds, readTextFile, swarmRedactor, UsageError } from "../../core/index.js";
import { join } from "node:path";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor } from "../format.js";
import { print, printError } from "../output.js";
import { WaitProgress } from "../wait-progress.js";
import { clientInternals } from "../../client/index.js";

export interface SubmitCliOptions extends GlobalOptions {
  task?: string;
  taskFile?: string;
  agent?: string;
  /** `--needs a,b`: labels the agent must have. */
  needs?: string;
  wait?: boolean;
  timeout?: string;
  priority?: string;
  idempotencyKey?: string;
  fresh?: boolean;
  gate?: string;
  gateRetries?: string;
  commit?: boolean;
  /** Let the supervisor's model break the task into a workflow (submit-plan.ts). */
  plan?: boolean;
  /** With --plan: run the plan without asking. */
  yes?: boolean;
  json?: boolean;
}

export async function submit(options: SubmitCliOptions): Promise<number> {
  const { task, source } = readTask(options);
  if (options.yes && !options.plan) throw new UsageError("--yes confirms a plan; it needs --plan");
  if (options.plan) {
    const { checkPlanFlags, submitPlan } = await import("./submit-plan.js");
    checkPlanFlags({ ...options });
    return submitPlan(task, source, options);
  }
  const timeout = options.timeout === undefined ? undefined : wholeNumber("--timeout", options.timeout);
  const priority = options.priority === undefined ? undefined : wholeNumber("--priority", options.priority);
  const gateRetries = options.gateRetries === undefined ? undefined : countOf("--gate-retries", options.gateRetries);
  const needs = options.needs === undefined ? undefined : parseNeeds(options.needs);
  return withSwarm(options, async (swarm) => {
    // The client checks again; checking here first names the file in the message.
    checkTaskText(task, { limitBytes: limitsOf(swarm.config).taskBytes, what: source });
    const status = await swarm.status();
    if (!status.daemon.alive) printError("warning: no bridge is running in this home; the task waits in its queue until `claude-agent up`.\n");
    const handle = await swarm.submit({
      task,
      agent: options.agent,
      needs,
      timeout,
      priority,
      idempotencyKey: options.idempotencyKey,
      fresh: options.fresh,
      gate: options.gate,
      gateRetries,
      commit: options.commit,
    });
    if (handle.rejected !== undefined) {
      // Refused before it reached a pane: bad input (exit 2), with or without --wait. The ledger keeps it as `rejected`.
      if (options.json)
        printJson({ id: handle.id, agent: handle.agent, routedBy: handle.routedBy, created: handle.created, status: "rejected", reason: handle.rejected });
      printError(`error: task ${handle.id} was refused: ${handle.rejected}\n`);
      return 2;
    }
    if (!options.wait) {
      if (options.json) printJson({ id: handle.id, agent: handle.agent, routedBy: handle.routedBy, created: handle.created });
      else print(`${handle.id}\n`);
      if (!options.json && !handle.created) printError(`(idempotency key already used: this is the existing task)\n`);
      return 0;
    }
    if (!options.json) printError(`task ${handle.id} → ${handle.agent} (${handle.routedBy})\n`);
    // While it runs: its agent, elapsed time and the live tail of its pane (wait-progress.ts); nothing with --json.
    const progress = options.json
      ? null
      : new WaitProgress({
          taskId: handle.id,
          castFile: join(homeOf(options).outputDir, `${handle.id}.cast`),
          record: () => clientInternals(swarm.client).ledger.get(handle.id),
          tty: process.stderr.isTTY === true,
          columns: process.stderr.columns,
          redact: swarmRedactor(swarm.config.agents.map((agent) => agent.env ?? {})),
        });
    progress?.start();
    const result = await handle.result().finally(async () => progress?.stop());
    if (options.json) printJson(result);
    else print(`${describeResult(result)}\n`);
    return exitCodeFor(result);
  });
}

/**
 * The task's text and where it came from. A file (or stdin) is read as bytes:
 * binary data and text that is not UTF-8 are refused with the file's name,
 * never replaced by U+FFFD; nothing over the largest limit a swarm can have
 * is read at all (the swarm's own limit is checked once it is known).
 */
export function readTask(options: Pick<SubmitCliOptions, "task" | "taskFile">): { task: string; source: string } {
  if (options.task !== undefined && options.taskFile !== undefined) throw new UsageError("pass either --task or --task-file, not both");
  if (options.taskFile !== undefined) {
    const source = options.taskFile === "-" ? "--task-file - (stdin)" : `--task-file ${options.taskFile}`;
    return { task: readTextFile(options.taskFile, { what: "--task-file", maxBytes: MAX_TASK_BYTES }), source };
  }
  if (options.task === undefined) throw new UsageError("--task is required", { hint: 'claude-agent submit --task "npm test" [--agent testing] [--wait]' });
  return { task: options.task, source: "--task" };
}

/** A whole number, zero allowed. */
function countOf(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) throw new UsageError(`${flag}: expected a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}
