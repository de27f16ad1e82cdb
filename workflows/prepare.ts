import { evaluateCondition, parseCondition } from "./condition.js";
import { renderTemplate } from "./template.js";
import { templateContext } from "./transitions.js";
import type { ExecutionState, Step } from "./types.js";

/** What to do with a step whose dependencies are all done. */
export type Preparation =
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "fail"; readonly reason: string }
  /** Run it (or ask for approval) with this rendered task text or question. */
  | { readonly kind: "start"; readonly text: string };

/**
 * Evaluates `when`, then renders the task. Both only see params and finished
 * steps; a template that cannot render (validation should have caught it)
 * fails the step rather than the engine.
 */
export function prepareStep(state: ExecutionState, step: Step): Preparation {
  const ctx = templateContext(state, step.id, false);
  const render = (text: string): string => renderTemplate(text, ctx);
  try {
    if (step.when !== undefined && !evaluateCondition(parseCondition(step.when), render)) {
      return { kind: "skip", reason: `when "${step.when}" is false` };
    }
    return { kind: "start", text: render(step.kind === "approval" ? step.approval : step.task) };
  } catch (error) {
    return { kind: "fail", reason: `template: ${error instanceof Error ? error.message : String(error)}` };
  }
}
