import { renderFailure } from "./render-step.js";
import { evaluateCondition, parseCondition } from "./condition.js";
import { renderTemplate, type TemplateContext } from "./template.js";
import { templateContext } from "./transitions.js";
import type { ExecutionState, InputQuestion, Step } from "./types.js";

/** What to do with a step whose dependencies are all done. */
export type Preparation =
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "fail"; readonly reason: string }
  /** Run it (or ask for approval) with this rendered task text or question. */
  | { readonly kind: "start"; readonly text: string; readonly questions?: readonly InputQuestion[] };

/**
 * Evaluates `when` (on the values themselves: a condition is compared, never run),
 * then renders the task as its agent will get it (`renderTask`: for a shell agent,
 * references to variables) or the approval question (text). Both only see params
 * and finished steps; a template that cannot render (validation should have
 * caught it, or it is refused for a shell) fails the step rather than the engine.
 */
export function prepareStep(state: ExecutionState, step: Step, renderTask: (text: string, ctx: TemplateContext) => string = renderTemplate): Preparation {
  const ctx = templateContext(state, step.id, false);
  const render = (text: string): string => renderTemplate(text, ctx);
  try {
    if (step.when !== undefined && !evaluateCondition(parseCondition(step.when), render)) {
      return { kind: "skip", reason: `when "${step.when}" is false` };
    }
    if (step.kind === "approval") return { kind: "start", text: render(step.approval) };
    if (step.kind === "input") {
      const questions = step.questions.map((q) => ({ ...q, prompt: render(q.prompt), ...(q.default !== undefined && { default: render(q.default) }) }));
      return { kind: "start", text: render(step.text), questions };
    }
    return { kind: "start", text: renderTask(step.task, ctx) };
  } catch (error) {
    return { kind: "fail", reason: `template: ${renderFailure(error)}` };
  }
}
