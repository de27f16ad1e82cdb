import { checkOutput } from "./output-schema.js";
import { renderRun, resolveTarget, type RenderedRun } from "./render-step.js";
import type { StepRunner } from "./runner.js";
import { targetOf } from "./step-call.js";
import type { TemplateContext } from "./template.js";
import type { StepState, TaskStep } from "./types.js";

/** How much of a rejected answer the follow-up prompt quotes back. */
const QUOTED_CHARS = 8000;

/** What the schema said about an output, as the step records it. */
export interface SchemaVerdict {
  readonly json: unknown;
  readonly errors: string | null;
}

export function judge(step: TaskStep, output: string): SchemaVerdict | null {
  if (step.outputSchema === undefined) return null;
  const check = checkOutput(output, step.outputSchema);
  return check.ok ? { json: check.json, errors: null } : { json: null, errors: check.errors.join("\n") };
}

/**
 * The follow-up prompt after an output failed the step's schema: a new task in the
 * agent's conversation, quoting the errors and (so that it stands on its own even on
 * another replica) the start of the rejected answer. Text for a model; it never goes
 * near a shell.
 */
export function fixPrompt(step: TaskStep, output: string, errors: string): string {
  const file = step.outputSchema?.file ?? "<inline>";
  const quoted = output.length > QUOTED_CHARS ? `${output.slice(0, QUOTED_CHARS)}\n… (${output.length - QUOTED_CHARS} more characters)` : output;
  return [
    `Your answer to the workflow step "${step.id}" must be a JSON document valid against the JSON Schema ${file}. It is not. The validator says:`,
    "",
    ...errors.split("\n").map((line) => `- ${line}`),
    "",
    "Your answer was:",
    "```",
    quoted,
    "```",
    "",
    "Answer again with only the corrected JSON document: no other text. The schema:",
    "```json",
    JSON.stringify(step.outputSchema?.schema ?? {}, null, 2),
    "```",
  ].join("\n");
}

/**
 * The follow-up run: for an agent program, the prompt above in the same conversation;
 * for a shell agent (which has no conversation), the step's task again with the
 * errors in CA_SCHEMA_ERRORS, so a generator script may read them.
 */
export function fixRun(runner: StepRunner, st: StepState, step: TaskStep, ctx: TemplateContext): RenderedRun {
  const target = targetOf(st, step, "fix");
  const errors = st.schemaErrors ?? "";
  if (resolveTarget(runner, target).mode === "text") {
    const where = renderRun(runner, target, "", ctx).where;
    return { task: fixPrompt(step, st.output, errors), where };
  }
  const run = renderRun(runner, target, step.task, ctx);
  return { ...run, env: { ...(run.env ?? {}), CA_SCHEMA_ERRORS: errors } };
}
