/**
 * Search every task the history keeps (GET /v1/history/tasks): full-text
 * over task text, answer, reason and output, with the Tasks view's agent,
 * status and workflow filters and a time window, in pages. A match's passage comes with
 * its words between « and », shown as <mark> around text nodes: the
 * passage is task output (untrusted) and never becomes markup.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../http.js";
import type { HistoryTask } from "../types.js";
import { clock } from "./format.js";

export const WINDOWS = [
  { value: "", label: "any time" },
  { value: "1h", label: "last hour" },
  { value: "1d", label: "last day" },
  { value: "7d", label: "last 7 days" },
  { value: "30d", label: "last 30 days" },
] as const;

export interface SearchQuery {
  readonly text: string;
  readonly since: string;
  readonly agent: string;
  readonly status: string;
  /** A workflow's name or an execution id: only the tasks of its steps. */
  readonly workflow: string;
}

export function TaskSearch(props: { query: SearchQuery }): ComponentChild {
  const [tasks, setTasks] = useState<readonly HistoryTask[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const { text, since, agent, status, workflow } = props.query;
  const load = async (cursor: string | null) => {
    const params = new URLSearchParams({ limit: "50" });
    if (text.trim()) params.set("search", text.trim());
    if (since) params.set("since", since);
    if (agent) params.set("agent", agent);
    if (status) params.set("status", status);
    if (workflow) params.set("workflow", workflow);
    if (cursor) params.set("cursor", cursor);
    setLoading(true);
    try {
      const page = await api<{ tasks: HistoryTask[]; next: string | null }>("GET", `/v1/history/tasks?${params}`);
      setTasks((before) => (cursor ? [...before, ...page.tasks] : page.tasks));
      setNext(page.next);
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    // Typing pauses before a search goes out: one request per pause, not per key.
    const timer = setTimeout(() => void load(null), 250);
    return () => clearTimeout(timer);
  }, [text, since, agent, status, workflow]);
  return h(
    "div",
    { class: "task-search", "data-search-results": loading ? "loading" : String(tasks.length) },
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    !loading && tasks.length === 0 && !error ? h("p", { class: "muted" }, text.trim() ? "No task matches." : "No tasks in this window.") : null,
    tasks.length > 0
      ? h(
          "table",
          { class: "task-list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Task", "Agent", "Status", "Submitted", "Workflow", text.trim() ? "Match" : "Text"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            tasks.map((t) =>
              h(
                "tr",
                { key: t.id, "data-history-task": t.id },
                h("td", null, h("a", { href: `#/tasks/${encodeURIComponent(t.id)}` }, t.id)),
                h("td", null, t.agent),
                h("td", null, h("span", { class: `status status-${t.status}` }, t.status)),
                h("td", null, `${new Date(t.submittedAt).toLocaleDateString()} ${clock(t.submittedAt)}`),
                h("td", null, t.workflow ? `${t.workflow}/${t.step ?? "?"}` : ""),
                h("td", { class: "text" }, t.snippet ? marked(t.snippet) : t.task),
              ),
            ),
          ),
        )
      : null,
    next ? h("button", { type: "button", disabled: loading, "data-more": "", onClick: () => void load(next) }, "More") : null,
  );
}

/** « and » around matched words become <mark> elements holding text nodes. */
function marked(snippet: string): ComponentChild[] {
  return snippet.split(/[«»]/).map((part, index) => (index % 2 === 1 ? h("mark", null, part) : part));
}
