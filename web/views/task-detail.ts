/**
 * One task in full: its text and output as text, reloaded when a task event
 * arrives. A task Redis no longer keeps (past its retention) comes from the
 * durable history instead, and says so.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../http.js";
import type { TaskView } from "../types.js";
import { ago, clock } from "./format.js";
import { TaskTimeline } from "./task-timeline.js";
import { VirtualText } from "./virtual-text.js";

export function TaskDetail(props: { id: string; epoch: number }): ComponentChild {
  const [task, setTask] = useState<(TaskView & { fromHistory?: boolean }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const path = encodeURIComponent(props.id);
    api<TaskView>("GET", `/v1/tasks/${path}`)
      .catch((failure: Error) =>
        failure instanceof ApiError && failure.status === 404
          ? api<TaskView>("GET", `/v1/history/tasks/${path}`).then((t) => ({ ...t, session: t.session ?? null, fromHistory: true }))
          : Promise.reject(failure),
      )
      .then((t) => current && (setTask(t), setError(null)))
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [props.id, props.epoch]);
  if (error) return h("p", { class: "error", role: "alert" }, error);
  if (!task) return h("p", { class: "muted" }, "Loading…");
  return h(
    "article",
    { class: "task-detail", "aria-labelledby": "detail-h", "data-task-detail": task.id },
    h("h3", { id: "detail-h" }, "Task ", task.id, " ", h("span", { class: `status status-${task.status}`, "data-status": task.status }, task.status)),
    task.fromHistory ? h("p", { class: "muted", "data-from-history": "" }, "From the history: Redis no longer keeps this task (past its retention).") : null,
    task.castFile ? h("a", { class: "button", href: `#/replay/${encodeURIComponent(task.id)}`, "data-replay-link": task.id }, "Replay its pane") : null,
    h(
      "dl",
      null,
      h("dt", null, "Agent"),
      h(
        "dd",
        null,
        task.agent,
        task.session ? ` on ${task.session}` : "",
        task.host ? ` (host ${task.host})` : "",
        task.routedBy && task.routedBy !== "explicit" ? ` (routed by ${task.routedBy})` : "",
      ),
      h("dt", null, "Submitted / finished"),
      h("dd", null, `${clock(task.submittedAt)} / ${clock(task.finishedAt) || "—"}`, task.durationMs !== null ? ` · ran ${ago(task.durationMs)}` : ""),
      h("dt", null, "Exit code"),
      h("dd", null, task.exitCode === null ? "—" : String(task.exitCode), task.attempts && task.attempts > 1 ? ` · ${task.attempts} attempts` : ""),
      task.reason ? [h("dt", null, "Reason"), h("dd", null, task.reason)] : null,
      usage(task) ? [h("dt", null, "Cost and tokens"), h("dd", { "data-usage": "" }, usage(task))] : null,
      task.account ? [h("dt", null, "Account"), h("dd", null, task.account)] : null,
      task.commit ? [h("dt", null, "Commit"), h("dd", null, task.commit)] : null,
    ),
    task.changedFiles && task.changedFiles.length > 0
      ? [
          h("h4", null, `Changed files (${task.changedFiles.length})`),
          h(
            "ul",
            { class: "changed-files", "data-changed-files": "" },
            task.changedFiles.map((file) => h("li", null, file)),
          ),
          task.diffStat ? h("pre", { class: "diff-stat" }, task.diffStat) : null,
          typeof task.diffBytes === "number" ? h(TaskPatch, { id: task.id, bytes: task.diffBytes }) : null,
        ]
      : null,
    h("h4", null, "Task"),
    h("pre", { class: "task-text" }, task.task),
    h("h4", null, "Output"),
    h(VirtualText, { text: task.output || "(none yet)", class: "output" }),
    task.answer ? [h("h4", null, "Answer"), h("pre", { class: "output" }, task.answer)] : null,
    task.gateOutput
      ? [h("h4", null, `Gate${task.gateRetries ? ` (sent back ${task.gateRetries}×)` : ""}`), h("pre", { class: "output" }, task.gateOutput)]
      : null,
    h("h4", null, "Events"),
    h(TaskTimeline, { id: task.id, epoch: props.epoch }),
  );
}

/** `$0.0123 · 1,204 in / 310 out tokens · 3 turns`, or "" when the program reported none. */
function usage(task: TaskView): string {
  const parts: string[] = [];
  if (typeof task.costUsd === "number") parts.push(`$${task.costUsd.toFixed(4)}`);
  if (typeof task.inputTokens === "number" || typeof task.outputTokens === "number")
    parts.push(`${(task.inputTokens ?? 0).toLocaleString()} in / ${(task.outputTokens ?? 0).toLocaleString()} out tokens`);
  if (typeof task.turns === "number") parts.push(`${task.turns} turn${task.turns === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

/** The task's patch, fetched when asked for (it can be 2 MB): added lines green, removed red, as text. */
function TaskPatch(props: { id: string; bytes: number }): ComponentChild {
  const [patch, setPatch] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "loading" | "error">("idle");
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    setState("loading");
    api<{ patch: string }>("GET", `/v1/tasks/${encodeURIComponent(props.id)}/diff`)
      .then((reply) => (setPatch(reply.patch), setState("idle")))
      .catch((failure: Error) => (setError(failure.message), setState("error")));
  };
  if (patch !== null) return [h("h4", null, "Patch"), h(VirtualText, { text: patch, class: "output patch", lineClass: patchLineClass })];
  return h(
    "p",
    null,
    h("button", { type: "button", class: "show-patch", disabled: state === "loading", onClick: load }, `Show the patch (${sizeOf(props.bytes)})`),
    state === "error" ? h("span", { class: "error", role: "alert" }, ` ${error}`) : null,
  );
}

function patchLineClass(line: string): string | undefined {
  if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff --git")) return "patch-file";
  if (line.startsWith("@@")) return "patch-hunk";
  if (line.startsWith("+")) return "patch-add";
  if (line.startsWith("-")) return "patch-del";
  return undefined;
}

function sizeOf(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
