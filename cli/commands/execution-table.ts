import { terminalText } from "../../core/index.js";
import type { ExecutionState, Step, StepState } from "../../workflows/index.js";
import { duration, table } from "../format.js";

/** A workflow execution as a person reads it: its step table, and the exit code a command that waited on it gives. */

export function exitCodeOf(state: ExecutionState): number {
  return state.status === "completed" ? 0 : 1;
}

export function summaryOf(s: ExecutionState) {
  return {
    id: s.id,
    workflow: s.workflow,
    status: s.status,
    reason: s.reason,
    params: s.params,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    steps: Object.fromEntries(Object.entries(s.steps).map(([id, st]) => [id, st.status])),
  };
}

export function elapsed(from: string | null, to: string | null): string {
  if (from === null) return "-";
  return duration(Math.max(0, (to === null ? Date.now() : Date.parse(to)) - Date.parse(from)));
}

function firstLine(text: string, max = 60): string {
  const line =
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The header lines and step table of an execution, as `show`, `run --wait` and `monitor` print it. */
export function describeExecution(state: ExecutionState): string[] {
  const head = [`execution ${state.id}`, `workflow ${state.workflow}`, state.status, elapsed(state.createdAt, state.finishedAt)].join(" · ");
  const lines = [head];
  const params = Object.entries(state.params);
  if (params.length > 0) lines.push(`params: ${params.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  if (state.reason !== null) lines.push(`reason: ${state.reason}`);
  lines.push("", ...table(["STEP", "STATUS", "AGENT", "TASK", "EXIT", "TIME", "DETAIL"], stepRows(state)).split("\n"));
  for (const [step, st] of Object.entries(state.steps)) {
    if (st.status === "waiting-approval") {
      lines.push(
        "",
        `waiting for approval: claude-agent answer ${st.inbox ?? "ITEM"} approve|deny   (or: claude-agent approve ${state.id} ${step}; reject ${state.id} ${step} --reason "…")`,
      );
      // The whole question, each line marked as quoted: templated text cannot pass for a line of ours.
      if (st.task)
        lines.push(
          ...terminalText(st.task)
            .trimEnd()
            .split("\n")
            .map((line) => `  │ ${line}`),
        );
    }
    if (st.status === "waiting-input")
      lines.push("", `waiting for input: claude-agent answer ${st.inbox ?? "ITEM"}   (claude-agent inbox ${st.inbox ?? ""} shows the questions)`);
  }
  return lines;
}

function stepRows(state: ExecutionState): string[][] {
  return state.definition.steps.map((step) => {
    const st = state.steps[step.id];
    if (st === undefined) return [step.id, "?", "-", "-", "-", "-", ""];
    return [
      step.id,
      statusText(step, st),
      agentText(step, st),
      st.gate?.status === "running" ? (st.gate.taskId ?? "-") : (st.taskId ?? "-"),
      st.exitCode === null ? "-" : String(st.exitCode),
      st.startedAt === null ? "-" : elapsed(st.startedAt, st.finishedAt),
      detailText(st),
    ];
  });
}

function statusText(step: Step, st: StepState): string {
  const retries = step.kind === "task" ? step.retries : 0;
  const attempt = retries > 0 && st.attempts > 0 ? ` (attempt ${st.attempts}/${retries + 1})` : "";
  if (st.status === "running" && st.retryAt !== null) return `retrying${attempt}`;
  if (st.status === "running" && st.gate?.status === "running") return `gate${attempt}`;
  if (st.status === "running" && st.fix?.status === "running") return `fixing output (${st.fixes})${attempt}`;
  if (st.rollback !== null) return `${st.status}, rollback ${st.rollback.status === "completed" ? "done" : st.rollback.status}`;
  return st.status === "running" || st.status === "failed" ? `${st.status}${attempt}` : st.status;
}

function agentText(step: Step, st: StepState): string {
  if (st.agent !== null) return st.agent;
  if (step.kind === "approval") return "(approval)";
  if (step.kind === "input") return "(input)";
  return step.agent ?? (step.route !== undefined ? `route: ${firstLine(step.route, 20)}` : "(routed)");
}

function detailText(st: StepState): string {
  if (st.status === "waiting-approval" || st.status === "waiting-input") return firstLine(st.task ?? "");
  if (st.reason !== null && st.status !== "completed") return firstLine(st.reason);
  return firstLine(st.output);
}
