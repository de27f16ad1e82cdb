/**
 * `submit --task "…" --plan`: the supervisor's model breaks the task into a
 * workflow over the swarm's agents; it is validated like any workflow file
 * (a cycle or an unknown agent refuses the plan, with the problem's path),
 * shown as the YAML it is, and run as a workflow execution once confirmed
 * (`--yes` confirms beforehand; without a terminal, nothing runs unconfirmed).
 */
import { createInterface } from "node:readline/promises";
import { stringify } from "yaml";
import { checkTaskText, ConfigError, limitsOf, redactValues, UsageError } from "../../core/index.js";
import { WorkflowClient, type Workflow } from "../../workflows/index.js";
import { printJson, withSwarm, type GlobalOptions } from "../context.js";
import { describeExecution, exitCodeOf } from "./execution-table.js";
import { print, printError } from "../output.js";

export interface PlanCliOptions extends GlobalOptions {
  yes?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** Flags of `submit` that describe one task, which a plan of several cannot take. */
export const SINGLE_TASK_FLAGS = ["agent", "needs", "timeout", "priority", "idempotencyKey", "fresh", "gate", "gateRetries", "commit"] as const;

export async function submitPlan(task: string, source: string, options: PlanCliOptions): Promise<number> {
  return withSwarm(options, async (swarm) => {
    // The text goes to the model as a prompt, and its steps later become tasks: the same limits apply.
    checkTaskText(task, { limitBytes: limitsOf(swarm.config).taskBytes, what: source });
    if (!options.json) printError(`planning with ${swarm.config.supervisor?.llm?.model ?? "the supervisor's model"}…\n`);
    const plan = await swarm.client.plan(task);
    const workflows = new WorkflowClient(swarm.client);
    try {
      let workflow: Workflow;
      try {
        workflow = workflows.fromObject(plan, "plan");
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError(error.problems, {
          hint: "The model's plan was refused, nothing ran. Try again, rephrase the task, or submit it without --plan.",
          cause: error,
        });
      }
      // The model's plan is shown as it will run, secrets redacted.
      const yaml = stringify(redactValues(plan));
      if (!options.json) print(`${yaml}\n`);
      const confirmed = options.yes === true || (await confirm(workflow));
      if (!confirmed) {
        if (options.json) printJson({ plan, run: false });
        printError("not run. Run it with `--yes`, or save the YAML above and use `claude-agent workflow run --file FILE`.\n");
        return 1;
      }
      const state = await workflows.start(workflow);
      if (!options.wait) {
        if (options.json) printJson({ plan, run: true, execution: { id: state.id, workflow: state.workflow, status: state.status } });
        else print(`${state.id}\n`);
        return 0;
      }
      if (!options.json) printError(`execution ${state.id}: ${workflow.steps.length} steps; waiting for it to end\n`);
      const final = redactValues(await workflows.wait(state.id));
      if (options.json) printJson({ plan, run: true, execution: final });
      else print(`${describeExecution(final).join("\n")}\n`);
      return exitCodeOf(final);
    } finally {
      await workflows.close();
    }
  });
}

/** Asks on the terminal; without one (a script, a pipe) the answer is no. */
async function confirm(workflow: Workflow): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`Run this plan (${workflow.steps.length} step${workflow.steps.length === 1 ? "" : "s"})? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

export function checkPlanFlags(options: Record<string, unknown>): void {
  const given = SINGLE_TASK_FLAGS.filter((flag) => options[flag] !== undefined);
  if (given.length > 0) {
    const flags = given.map((flag) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
    throw new UsageError(`--plan makes a workflow of several tasks; ${flags} ${given.length === 1 ? "applies" : "apply"} to one task`, {
      hint: "Drop them, or submit the task without --plan.",
    });
  }
}
