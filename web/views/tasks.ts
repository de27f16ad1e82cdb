/**
 * Recent tasks, live, with filters, cancel, and a task's detail; with search
 * text, a workflow or a time window, every task the history keeps (task-search.ts).
 * Task text and output are the swarm's untrusted text: they reach the DOM
 * only as text nodes (Preact renders strings with createTextNode/textContent).
 */
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { api } from "../http.js";
import { useAction } from "./use-action.js";
import type { State } from "../store.js";
import { TASK_STATUSES, isFinished, type TaskSummary } from "../types.js";
import { clock } from "./format.js";
import { SubmitForm } from "./submit.js";
import { TaskDetail } from "./task-detail.js";
import { TaskSearch, WINDOWS } from "./task-search.js";

export function Tasks(props: { state: State; selected: string | null }): ComponentChild {
  const { tasks, status, session } = props.state;
  const [agent, setAgent] = useState("");
  const [only, setOnly] = useState("");
  const [text, setText] = useState("");
  const [since, setSince] = useState("");
  const [workflow, setWorkflow] = useState("");
  const searching = text.trim() !== "" || since !== "" || workflow.trim() !== "";
  const { error, run } = useAction();
  const canSubmit = session.scopes.includes("submit");
  const canCancel = session.scopes.includes("control");
  const shown = tasks.filter((t) => (!agent || t.agent === agent) && (!only || t.status === only));
  const cancel = (id: string) => run(() => api("POST", `/v1/tasks/${encodeURIComponent(id)}/cancel`));
  return h(
    "section",
    { "aria-labelledby": "tasks-h", class: "tasks" },
    h("h2", { id: "tasks-h" }, "Tasks"),
    canSubmit ? h(SubmitForm, { status, onSubmitted: (id: string) => (location.hash = `#/tasks/${encodeURIComponent(id)}`) }) : null,
    props.selected ? h(TaskDetail, { id: props.selected, epoch: props.state.taskEpoch }) : null,
    h(
      "div",
      { class: "filters" },
      h(
        "label",
        null,
        "Search ",
        h("input", {
          type: "search",
          name: "search",
          placeholder: "words in task text or output (all tasks)",
          value: text,
          onInput: (e: Event) => setText((e.target as HTMLInputElement).value),
          onKeyDown: (e: KeyboardEvent) => e.key === "Escape" && setText(""),
        }),
      ),
      h(
        "label",
        null,
        "Workflow ",
        h("input", {
          type: "search",
          name: "workflow",
          placeholder: "name or execution id",
          value: workflow,
          onInput: (e: Event) => setWorkflow((e.target as HTMLInputElement).value),
          onKeyDown: (e: KeyboardEvent) => e.key === "Escape" && setWorkflow(""),
        }),
      ),
      h(
        "label",
        null,
        "When ",
        h(
          "select",
          { name: "since", value: since, onChange: (e: Event) => setSince((e.target as HTMLSelectElement).value) },
          WINDOWS.map((w) => h("option", { value: w.value }, w.label)),
        ),
      ),
      h(
        "label",
        null,
        "Agent ",
        h(
          "select",
          { value: agent, onChange: (e: Event) => setAgent((e.target as HTMLSelectElement).value) },
          h("option", { value: "" }, "all"),
          (status?.agents ?? []).map((a) => h("option", { value: a.name }, a.name)),
        ),
      ),
      h(
        "label",
        null,
        "Status ",
        h(
          "select",
          { value: only, onChange: (e: Event) => setOnly((e.target as HTMLSelectElement).value) },
          h("option", { value: "" }, "all"),
          TASK_STATUSES.map((s) => h("option", { value: s }, s)),
        ),
      ),
      error ? h("span", { class: "error", role: "alert" }, error) : null,
    ),
    searching
      ? h(TaskSearch, { query: { text, since, agent, status: only, workflow: workflow.trim() } })
      : h(
          "table",
          { class: "task-list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Task", "Agent", "Status", "Submitted", "Text", ""].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            shown.map((t) => row(t, canCancel, cancel)),
          ),
        ),
  );
}

function row(t: TaskSummary, canCancel: boolean, cancel: (id: string) => void): ComponentChild {
  return h(
    "tr",
    { key: t.id, "data-task": t.id },
    h("td", null, h("a", { href: `#/tasks/${encodeURIComponent(t.id)}` }, t.id)),
    h("td", null, t.agent),
    h("td", null, h("span", { class: `status status-${t.status}` }, t.status), t.exitCode !== null && t.exitCode !== 0 ? ` (exit ${t.exitCode})` : ""),
    h("td", null, clock(t.submittedAt)),
    h("td", { class: "text" }, t.task),
    h("td", null, canCancel && !isFinished(t.status) ? h("button", { type: "button", onClick: () => cancel(t.id) }, "Cancel") : null),
  );
}
