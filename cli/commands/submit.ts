import { readFileSync } from "node:fs";
import { UsageError } from "../../core/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeResult, exitCodeFor } from "../format.js";
import { print, printError } from "../output.js";

export interface SubmitCliOptions extends GlobalOptions {
  task?: string;
  taskFile?: string;
  agent?: string;
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

export async function submit(options: SubmitCliOptions): Promise<void> {
  const task = readTask(options);
  if (options.yes && !options.plan) throw new UsageError("--yes confirms a plan; it needs --plan");
  if (options.plan) {
    const { checkPlanFlags, submitPlan } = await import("./submit-plan.js");
    checkPlanFlags({ ...options });
    return submitPlan(task, options);
  }
  const timeout = options.timeout === undefined ? undefined : wholeNumber("--timeout", options.timeout);
  const priority = options.priority === undefined ? undefined : wholeNumber("--priority", options.priority);
  const gateRetries = options.gateRetries === undefined ? undefined : countOf("--gate-retries", options.gateRetries);
  await withSwarm(options, async (swarm) => {
    const status = await swarm.status();
    if (!status.daemon.alive) printError("warning: no bridge is running in this home; the task waits in its queue until `claude-agent up`.\n");
    const handle = await swarm.submit({
      task, agent: options.agent, timeout, priority, idempotencyKey: options.idempotencyKey, fresh: options.fresh,
      gate: options.gate, gateRetries, commit: options.commit,
    });
    if (!options.wait) {
      if (options.json) printJson({ id: handle.id, agent: handle.agent, routedBy: handle.routedBy, created: handle.created });
      else print(`${handle.id}\n`);
      if (!options.json && !handle.created) printError(`(idempotency key already used: this is the existing task)\n`);
      return;
    }
    if (!options.json) printError(`task ${handle.id} → ${handle.agent} (${handle.routedBy})\n`);
    const result = await handle.result();
    if (options.json) printJson(result);
    else print(`${describeResult(result)}\n`);
    process.exitCode = exitCodeFor(result);
  });
}

function readTask(options: SubmitCliOptions): string {
  if (options.task !== undefined && options.taskFile !== undefined) throw new UsageError("pass either --task or --task-file, not both");
  if (options.taskFile !== undefined) {
    try {
      return readFileSync(options.taskFile === "-" ? 0 : options.taskFile, "utf8");
    } catch (cause) {
      throw new UsageError(`cannot read --task-file ${options.taskFile}`, { cause });
    }
  }
  if (options.task === undefined) throw new UsageError("--task is required", { hint: 'claude-agent submit --task "npm test" [--agent testing] [--wait]' });
  return options.task;
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
