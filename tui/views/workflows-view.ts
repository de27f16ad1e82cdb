import type { WorkflowView } from "../state.js";
import { cell, escapeTags } from "./text.js";

const STEP_LOOK: Readonly<Record<string, [icon: string, color: string]>> = {
  pending: ["·", "gray"],
  running: ["▶", "yellow"],
  "waiting-approval": ["?", "magenta"],
  "waiting-input": ["?", "magenta"],
  completed: ["✓", "green"],
  failed: ["✗", "red"],
  skipped: ["↷", "gray"],
  cancelled: ["⊘", "magenta"],
};

/** The workflow panel's lines: each running execution, then its steps with their states. */
export function workflowLines(workflows: readonly WorkflowView[] | null, width: number): string[] {
  if (!workflows || workflows.length === 0) return ["{gray-fg}no workflows running{/gray-fg}"];
  const lines: string[] = [];
  for (const wf of workflows) {
    const done = wf.steps.filter((s) => s.status === "completed" || s.status === "skipped").length;
    lines.push(`{bold}${escapeTags(wf.workflow)}{/bold} {gray-fg}${escapeTags(wf.id)}{/gray-fg} ${escapeTags(wf.status)} ${done}/${wf.steps.length}`);
    for (const step of wf.steps) {
      const [icon, color] = STEP_LOOK[step.status] ?? ["•", "white"];
      const name = Math.max(4, Math.min(24, width - 20));
      lines.push(
        `  {${color}-fg}${icon}{/${color}-fg} ${cell(step.id, name)} {${color}-fg}${escapeTags(step.status)}{/${color}-fg}${step.agent ? ` {gray-fg}${escapeTags(step.agent)}{/gray-fg}` : ""}`,
      );
    }
  }
  return lines;
}
