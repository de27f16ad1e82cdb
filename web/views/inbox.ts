/**
 * "Needs you": every item waiting for a person, oldest first, answered in
 * place: approve or deny an approval, fill in an input step's questions.
 * An item's title and text carry step outputs (untrusted): text nodes only.
 */
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { api } from "../http.js";
import { useAction } from "./use-action.js";
import type { State } from "../store.js";
import type { InboxItem } from "../types.js";
import { ago } from "./format.js";

export function Inbox(props: { state: State; now: number }): ComponentChild {
  const { inbox, session } = props.state;
  const canAnswer = session.scopes.includes("control");
  return h(
    "section",
    { "aria-labelledby": "inbox-h" },
    h("h2", { id: "inbox-h" }, "Needs you"),
    inbox.length === 0 ? h("p", { class: "muted" }, "Nothing waits for you.") : inbox.map((item) => h(Item, { key: item.id, item, canAnswer, now: props.now })),
  );
}

function Item(props: { item: InboxItem; canAnswer: boolean; now: number }): ComponentChild {
  const { item } = props;
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(item.questions.map((q) => [q.name, q.default ?? ""])));
  const [reason, setReason] = useState("");
  const { busy, error, run } = useAction();
  const send = (body: object) => run(() => api("POST", `/v1/inbox/${encodeURIComponent(item.id)}/answer`, body));
  const withReason = reason.trim() ? { reason: reason.trim() } : {};
  // A failed task's item: approving runs the task again, denying dismisses the item.
  const [yes, no] = item.source.type === "task" ? ["Retry", "Dismiss"] : ["Approve", "Deny"];
  return h(
    "article",
    { class: "inbox-item", "data-item": item.id, "aria-labelledby": `item-${item.id}` },
    h("h3", { id: `item-${item.id}` }, item.title),
    h(
      "p",
      { class: "muted" },
      `${item.kind} · ${sourceOf(item.source)} · waiting ${ago(props.now - Date.parse(item.createdAt))}${item.escalatedAt ? " · escalated" : ""}`,
    ),
    item.text.trim() ? h("pre", { class: "item-text" }, item.text) : null,
    item.kind === "input"
      ? item.questions.map((q) =>
          h(
            "label",
            { class: "question" },
            q.prompt,
            q.choices
              ? h(
                  "select",
                  {
                    name: q.name,
                    value: values[q.name] ?? "",
                    onChange: (e: Event) => setValues({ ...values, [q.name]: (e.target as HTMLSelectElement).value }),
                  },
                  q.choices.map((c) => h("option", { value: c }, c)),
                )
              : h("input", {
                  name: q.name,
                  value: values[q.name] ?? "",
                  required: q.required,
                  onInput: (e: Event) => setValues({ ...values, [q.name]: (e.target as HTMLInputElement).value }),
                }),
          ),
        )
      : null,
    props.canAnswer
      ? h(
          "div",
          { class: "actions" },
          item.kind === "approval"
            ? [
                h("button", { type: "button", class: "approve", disabled: busy, onClick: () => send({ answer: "approve", ...withReason }) }, yes),
                h("button", { type: "button", class: "deny", disabled: busy, onClick: () => send({ answer: "deny", ...withReason }) }, no),
                h("input", {
                  "aria-label": "reason (optional)",
                  placeholder: "reason (optional)",
                  value: reason,
                  onInput: (e: Event) => setReason((e.target as HTMLInputElement).value),
                }),
              ]
            : h("button", { type: "button", class: "answer", disabled: busy, onClick: () => send({ values }) }, "Answer"),
        )
      : h("p", { class: "muted" }, "Answering needs the control scope."),
    error ? h("p", { class: "error", role: "alert" }, error) : null,
  );
}

/**
 * Where an item comes from: `deploy/approve · execution ID`, `budget of agent coder`, `budget of deploy · execution ID`,
 * `policy of agent ops · task ID`, `prompt of agent coder in coder-1 · task ID`, `failed task ID of agent testing`.
 */
function sourceOf(source: InboxItem["source"]): string {
  const execution = source.executionId ? ` · execution ${source.executionId}` : "";
  if (source.type === "policy") return `policy of agent ${source.agent ?? ""} · task ${source.taskId ?? ""}`;
  if (source.type === "prompt") return `prompt of agent ${source.agent ?? ""} in ${source.session ?? ""} · task ${source.taskId ?? ""}`;
  if (source.type === "task") return `failed task ${source.taskId ?? ""} of agent ${source.agent ?? ""}`;
  if (source.type === "budget") return source.agent ? `budget of agent ${source.agent} (${source.period ?? ""})` : `budget of ${source.workflow}${execution}`;
  return `${source.workflow}/${source.step}${execution}`;
}
