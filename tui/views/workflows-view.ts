import type { WorkflowView } from "../state.js";
import { cell, escapeTags, fit, formatDuration, textWidth } from "./text.js";

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

/** The panel's title parts: how many run, how many finished lately. */
export function workflowTitle(workflows: readonly WorkflowView[] | null): string[] {
  const running = workflows?.filter((wf) => wf.status === "running").length ?? 0;
  const finished = (workflows?.length ?? 0) - running;
  return ["workflows", ...(running > 0 ? [`${running} running`] : []), ...(finished > 0 ? [`${finished} finished`] : [])];
}

/** Steps a short panel still lists: those under way or waiting for a person (the others are in the `2/3` count). */
const LIVE_STEPS = new Set(["running", "waiting-approval", "waiting-input"]);

/**
 * The workflow panel's lines: each running execution with its steps and
 * their states, then each finished one on one line, marked with how it
 * ended and how long ago; an execution's id comes last, cut to fit. When that is more than `height` lines, running
 * executions list only their live steps, so the finished ones stay in sight.
 */
export function workflowLines(workflows: readonly WorkflowView[] | null, width: number, now = Date.now(), height = Number.POSITIVE_INFINITY): string[] {
  if (!workflows || workflows.length === 0) return ["{gray-fg}no workflows running{/gray-fg}"];
  const full = listing(workflows, width, now, () => true);
  return full.length <= height ? full : listing(workflows, width, now, (status) => LIVE_STEPS.has(status));
}

/** The execution's id after a line's `used` columns, in gray, cut to what is left of `width` (it goes first: the rest says more). */
function idAfter(id: string, used: number, width: number): string {
  const room = width - used - 1;
  return room >= 4 ? ` {gray-fg}${escapeTags(fit(id, Math.min(room, textWidth(id))))}{/gray-fg}` : "";
}

function listing(workflows: readonly WorkflowView[], width: number, now: number, showStep: (status: string) => boolean): string[] {
  const lines: string[] = [];
  const progress = (wf: WorkflowView) => `${wf.steps.filter((s) => s.status === "completed" || s.status === "skipped").length}/${wf.steps.length}`;
  for (const wf of workflows.filter((w) => w.status === "running")) {
    const head = `${wf.workflow} ${wf.status} ${progress(wf)}`;
    lines.push(`{bold}${escapeTags(wf.workflow)}{/bold} ${escapeTags(wf.status)} ${progress(wf)}${idAfter(wf.id, textWidth(head), width)}`);
    for (const step of wf.steps.filter((s) => showStep(s.status))) {
      const [icon, color] = STEP_LOOK[step.status] ?? ["•", "white"];
      const name = Math.max(4, Math.min(24, width - 20));
      lines.push(
        `  {${color}-fg}${icon}{/${color}-fg} ${cell(step.id, name)} {${color}-fg}${escapeTags(step.status)}{/${color}-fg}${step.agent ? ` {gray-fg}${escapeTags(step.agent)}{/gray-fg}` : ""}`,
      );
    }
  }
  for (const wf of workflows.filter((w) => w.status !== "running")) {
    const [icon, color] = STEP_LOOK[wf.status] ?? ["•", "white"];
    const ago = wf.finishedAt ? ` · ${formatDuration(now - Date.parse(wf.finishedAt))} ago` : "";
    const head = `${icon} ${wf.workflow} ${wf.status} ${progress(wf)}${ago}`;
    lines.push(
      `{${color}-fg}${icon}{/${color}-fg} ${escapeTags(wf.workflow)} {${color}-fg}${escapeTags(wf.status)}{/${color}-fg} ${progress(wf)}${escapeTags(ago)}${idAfter(wf.id, textWidth(head), width)}`,
    );
  }
  return lines;
}
