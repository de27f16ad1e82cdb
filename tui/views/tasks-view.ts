import type { TaskRecord } from "../../core/index.js";
import { cell, formatDuration, textWidth } from "./text.js";

/** One recent task as the tasks view shows it. */
export interface TaskView {
  readonly id: string;
  readonly agent: string;
  readonly status: string;
  readonly submittedAt: string;
  readonly startedAt: string | null;
  readonly durationMs: number | null;
  /** The first line of its answer or output; for a task not yet ended, of its text. */
  readonly summary: string;
}

const STATUS_COLORS: Readonly<Record<string, string>> = {
  queued: "cyan",
  running: "yellow",
  completed: "green",
  failed: "red",
  timeout: "red",
  rejected: "red",
  cancelled: "magenta",
};

function firstLine(text: string | undefined): string {
  return (
    (text ?? "")
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? ""
  );
}

/** What the tasks view keeps of a task record (not its whole output). */
export function taskView(record: TaskRecord): TaskView {
  const ended = record.finishedAt !== null;
  const summary = ended ? firstLine(record.answer) || firstLine(record.output) || (record.reason ?? "") : firstLine(record.task);
  return {
    id: record.id,
    agent: record.agent,
    status: record.status,
    submittedAt: record.submittedAt,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    summary,
  };
}

/** A task's duration, to the millisecond below a second (shell tasks often take a few). */
export function taskDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}

/**
 * The tasks view: a header and one line per task, newest first (as given):
 * id, agent (when there is room), status coloured, duration (running: so
 * far), then the first line of the result. Each line fills `width` at most.
 */
export function taskLines(tasks: readonly TaskView[] | null, width: number, now: number): string[] {
  if (tasks === null) return ["{gray-fg}reading the recent tasks…{/gray-fg}"];
  if (tasks.length === 0) return ["{gray-fg}no tasks yet{/gray-fg}"];
  const idWidth = Math.min(24, Math.max(2, ...tasks.map((t) => textWidth(t.id))));
  const agentWidth = width >= 64 ? Math.min(14, Math.max(5, ...tasks.map((t) => textWidth(t.agent)))) : 0;
  const columns = [
    { title: "ID", width: idWidth },
    ...(agentWidth > 0 ? [{ title: "AGENT", width: agentWidth }] : []),
    { title: "STATUS", width: 9 },
    { title: "TIME", width: 6, align: "right" as const },
  ];
  const used = columns.reduce((sum, c) => sum + c.width + 1, 0);
  const resultWidth = Math.max(0, width - used);
  const header = `{bold}${[...columns.map((c) => cell(c.title, c.width, undefined, c.align)), cell("RESULT", resultWidth)].join(" ")}{/bold}`;
  const rows = tasks.map((task) => {
    const ms = task.durationMs ?? (task.status === "running" && task.startedAt ? now - Date.parse(task.startedAt) : null);
    const values: Record<string, [string, string | undefined]> = {
      ID: [task.id, undefined],
      AGENT: [task.agent, undefined],
      STATUS: [task.status, STATUS_COLORS[task.status]],
      TIME: [taskDuration(ms), undefined],
    };
    const fixed = columns.map((c) => cell(values[c.title]![0], c.width, values[c.title]![1], c.align));
    const ended = task.status !== "queued" && task.status !== "running";
    return [...fixed, cell(task.summary, resultWidth, ended ? undefined : "gray")].join(" ");
  });
  return [header, ...rows];
}
