/** The submit form: the task text, an agent (or routing by keywords), a priority. */
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { api } from "../http.js";
import { useAction } from "./use-action.js";
import type { StatusView } from "../types.js";

export function SubmitForm(props: { status: StatusView | null; onSubmitted: (id: string) => void }): ComponentChild {
  const [task, setTask] = useState("");
  const [agent, setAgent] = useState("");
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const created = await api<{ id: string }>("POST", "/v1/tasks", agent ? { task, agent } : { task });
      setTask("");
      props.onSubmitted(created.id);
    });
  };
  return h(
    "form",
    { class: "submit", onSubmit: submit, "aria-labelledby": "submit-h" },
    h("h3", { id: "submit-h" }, "Submit a task"),
    h("label", { for: "task-text" }, "Task"),
    h("textarea", {
      id: "task-text",
      name: "task",
      rows: 3,
      value: task,
      onInput: (e: Event) => setTask((e.target as HTMLTextAreaElement).value),
      placeholder: "npm test",
    }),
    h(
      "label",
      null,
      "Agent ",
      h(
        "select",
        { name: "agent", value: agent, onChange: (e: Event) => setAgent((e.target as HTMLSelectElement).value) },
        h("option", { value: "" }, "route by keywords"),
        (props.status?.agents ?? []).map((a) => h("option", { value: a.name }, a.name)),
      ),
    ),
    h("button", { type: "submit", disabled: busy || task.trim() === "" }, busy ? "Submitting…" : "Submit"),
    error ? h("p", { class: "error", role: "alert" }, error) : null,
  );
}
