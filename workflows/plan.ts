import { OPEN, isSatisfied } from "./transitions.js";
import type { ExecutionState } from "./types.js";

/**
 * The scheduler: given the stored state and the steps this process is already
 * driving, what to do next. BullMQ flows are trees, and a workflow is a DAG with
 * shared upstream steps, so the engine schedules by itself from this function.
 */
export type Action =
  /** An upstream step failed or was cancelled: this one will never run. */
  | { readonly type: "skip"; readonly step: string; readonly reason: string }
  /** Every dependency is done: check `when`, then run it or wait for approval. */
  | { readonly type: "ready"; readonly step: string }
  /** Stored as running but nobody here drives it (the engine restarted): take it over. */
  | { readonly type: "adopt"; readonly step: string }
  | { readonly type: "finish"; readonly status: "completed" | "failed"; readonly reason: string | null };

function blockedBy(state: ExecutionState, deps: readonly string[]): string | null {
  for (const dep of deps) {
    const st = state.steps[dep];
    if (st === undefined) return `dependency "${dep}" does not exist`;
    if (st.status === "failed") return `dependency "${dep}" failed`;
    if (st.status === "cancelled") return `dependency "${dep}" was cancelled`;
    if (st.status === "skipped" && st.skip !== "condition") return `dependency "${dep}" was skipped`;
  }
  return null;
}

export function plan(state: ExecutionState, driving: ReadonlySet<string>): Action[] {
  const actions: Action[] = [];
  for (const step of state.definition.steps) {
    const st = state.steps[step.id];
    if (st === undefined) continue;
    if (st.status === "pending") {
      const blocked = blockedBy(state, step.dependsOn);
      if (blocked !== null) actions.push({ type: "skip", step: step.id, reason: blocked });
      else if (step.dependsOn.every((dep) => isSatisfied(state.steps[dep]))) actions.push({ type: "ready", step: step.id });
    } else if (st.status === "running" && !driving.has(step.id)) {
      actions.push({ type: "adopt", step: step.id });
    }
  }
  if (actions.length > 0 || driving.size > 0) return actions;
  const all = Object.entries(state.steps);
  if (all.some(([, st]) => OPEN.includes(st.status))) return actions;
  const bad = all.filter(([, st]) => st.status === "failed" || st.status === "cancelled").map(([id]) => id);
  if (bad.length === 0) return [{ type: "finish", status: "completed", reason: null }];
  const names = bad.map((id) => `"${id}"`).join(", ");
  return [{ type: "finish", status: "failed", reason: `step${bad.length > 1 ? "s" : ""} ${names} failed` }];
}
