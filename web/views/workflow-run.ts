/**
 * One workflow execution, live: its graph, a table of its steps (state,
 * agent, attempts, time, task), approve or reject a waiting step in place,
 * cancel the execution, and the selected step's question, output and
 * reason. Step text and output come from agents and params (untrusted):
 * text nodes only.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../http.js";
import type { State } from "../store.js";
import type { ExecutionView, StepView } from "../types.js";
import { ago, clock } from "./format.js";
import { useAction } from "./use-action.js";
import { WorkflowGraph } from "./workflow-graph.js";

export function WorkflowRun(props: { id: string; state: State; now: number }): ComponentChild {
  const [run, setRun] = useState<ExecutionView | null>(null);
  const { busy, error, setError, run: action } = useAction();
  const [selected, setSelected] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const epoch = props.state.workflowEpoch;
  useEffect(() => {
    let current = true;
    api<ExecutionView>("GET", `/v1/workflows/runs/${encodeURIComponent(props.id)}`)
      .then((loaded) => current && (setRun(loaded), setError(null)))
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [props.id, epoch]);
  if (error && !run) return h("p", { class: "error", role: "alert" }, error);
  if (!run) return h("p", { class: "muted" }, "Loading…");
  const canControl = props.state.session.scopes.includes("control");
  const act = (path: string, body?: object) =>
    action(async () => setRun(await api<ExecutionView>("POST", `/v1/workflows/runs/${encodeURIComponent(run.id)}${path}`, body)));
  const withReason = reason.trim() ? { reason: reason.trim() } : {};
  const chosen = selected && run.steps[selected] ? selected : null;
  return h(
    "article",
    { class: "workflow-run", "aria-labelledby": "run-h", "data-execution": run.id, "data-status": run.status },
    h("h3", { id: "run-h" }, run.workflow, " ", h("span", { class: "muted" }, run.id), " ", h("span", { class: `status status-${run.status}` }, run.status)),
    h(
      "p",
      { class: "muted" },
      `started ${clock(run.createdAt)}`,
      run.finishedAt
        ? ` · finished ${clock(run.finishedAt)} after ${ago(Date.parse(run.finishedAt) - Date.parse(run.createdAt))}`
        : ` · running for ${ago(props.now - Date.parse(run.createdAt))}`,
      run.reason ? ` · ${run.reason}` : "",
    ),
    Object.keys(run.params).length > 0
      ? h(
          "dl",
          { class: "params" },
          Object.entries(run.params).map(([name, value]) => [h("dt", null, name), h("dd", null, value)]),
        )
      : null,
    canControl && run.status === "running"
      ? h(
          "div",
          { class: "actions" },
          h("input", { placeholder: "reason (optional)", value: reason, onInput: (e: Event) => setReason((e.target as HTMLInputElement).value) }),
          h("button", { type: "button", disabled: busy, "data-cancel-run": run.id, onClick: () => act("/cancel", withReason) }, "Cancel the execution"),
        )
      : null,
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    h(WorkflowGraph, { run, now: props.now, selected: chosen, onSelect: setSelected }),
    h(
      "table",
      { class: "step-list" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["Step", "Kind", "Agent", "State", "Attempts", "Time", "Task", ""].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        null,
        run.definition.graph.map((node) => {
          const step = run.steps[node.id];
          if (!step) return null;
          return h(
            "tr",
            { key: node.id, "data-step-row": node.id, class: chosen === node.id ? "selected" : undefined },
            h("td", null, h("button", { type: "button", class: "link", onClick: () => setSelected(node.id) }, node.id)),
            h("td", null, node.kind),
            h("td", null, step.agent ?? node.agent ?? "—"),
            h(
              "td",
              null,
              h("span", { class: `status status-${step.status}` }, step.status),
              step.exitCode !== null && step.exitCode !== 0 ? ` (exit ${step.exitCode})` : "",
            ),
            h("td", null, String(step.attempts)),
            h("td", null, duration(step, props.now)),
            h("td", null, step.taskId ? h("a", { href: `#/tasks/${encodeURIComponent(step.taskId)}` }, step.taskId) : "—"),
            h("td", null, stepActions(node.id, step, canControl, busy, act, withReason)),
          );
        }),
      ),
    ),
    chosen ? h(StepDetail, { id: chosen, step: run.steps[chosen] as StepView }) : h("p", { class: "muted" }, "Select a step to see its output."),
  );
}

function stepActions(
  id: string,
  step: StepView,
  canControl: boolean,
  busy: boolean,
  act: (path: string, body?: object) => void,
  withReason: { reason?: string },
): ComponentChild {
  if (step.status === "waiting-input") return h("a", { href: "#/inbox" }, "Answer in Needs you");
  if (step.status !== "waiting-approval" || !canControl) return null;
  const path = `/steps/${encodeURIComponent(id)}`;
  return [
    h("button", { type: "button", disabled: busy, "data-approve": id, onClick: () => act(`${path}/approve`) }, "Approve"),
    " ",
    h("button", { type: "button", disabled: busy, "data-reject": id, onClick: () => act(`${path}/reject`, withReason) }, "Reject"),
  ];
}

function StepDetail(props: { id: string; step: StepView }): ComponentChild {
  const { id, step } = props;
  return h(
    "section",
    { class: "step-detail", "data-step-detail": id, "aria-labelledby": "step-h" },
    h("h4", { id: "step-h" }, "Step ", id),
    step.reason ? h("p", null, step.reason) : null,
    step.task ? [h("h5", null, step.status === "waiting-approval" ? "Question" : "Task"), h("pre", { class: "task-text" }, step.task)] : null,
    h("h5", null, "Output"),
    h("pre", { class: "output", tabIndex: 0 }, step.output || "(none yet)"),
  );
}

function duration(step: StepView, now: number): string {
  if (!step.startedAt) return "—";
  const ms = (step.finishedAt ? Date.parse(step.finishedAt) : now) - Date.parse(step.startedAt);
  return Number.isNaN(ms) ? "—" : ago(ms);
}
