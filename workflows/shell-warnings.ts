import { stepTarget } from "./render-step.js";
import { shellProblems } from "./shell-render.js";
import type { RenderMode } from "./runner.js";
import type { Target, Workflow } from "./types.js";

/**
 * `path: message` for every template a shell agent would refuse to render (see
 * shell/risks.ts): in a step's task, its gate and its rollback. `modeOf` says
 * how a target renders when that is known; steps known to go to an agent
 * program are skipped (their tasks are prompts), unknown ones are checked.
 */
export function shellWarnings(workflow: Workflow, modeOf: (target: Target) => RenderMode | undefined = () => undefined): string[] {
  const out: string[] = [];
  workflow.steps.forEach((step, index) => {
    if (step.kind !== "task") return;
    const target: Target = stepTarget(step);
    const fields: [string, string | undefined, Target][] = [
      ["task", step.task, target],
      ["gate", step.gate, target],
      ["rollback.task", step.rollback?.task, step.rollback?.agent !== undefined || step.rollback?.route !== undefined ? { ...step.rollback } : target],
    ];
    for (const [field, text, where] of fields) {
      if (text === undefined || modeOf(where) === "text") continue;
      for (const problem of shellProblems(text)) out.push(`steps.${index}.${field}: ${problem}`);
    }
  });
  return out;
}
