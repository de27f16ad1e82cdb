import type { SessionRow } from "../state.js";
import { cell, formatDuration, stripTags } from "./text.js";

export const STATE_COLORS: Readonly<Record<string, string>> = {
  idle: "green",
  busy: "yellow",
  starting: "cyan",
  down: "red",
  lost: "red",
  failed: "red",
  "needs-input": "magenta",
  "taken-over": "magenta",
  parked: "blue",
  breaker: "red",
  budget: "magenta",
};

/**
 * What the STATE column shows: an interactive agent waiting for a person, or
 * an agent parked by a rate limit, or one whose circuit breaker holds its
 * queue, or one paused at its budget, matters more than "busy"/"idle".
 */
export function displayState(row: SessionRow): string {
  const gone = row.state === "down" || row.state === "lost" || row.state === "failed";
  if (row.takenOver && !gone) return "taken-over";
  if (row.agentState === "needs-input" && row.state !== "lost") return "needs-input";
  if (row.parkedUntil && !gone) return "parked";
  if (row.budget?.paused && row.state !== "busy" && !gone) return "budget";
  if (row.breaker && row.state !== "busy" && !gone) return "breaker";
  return row.state;
}

interface Column {
  readonly title: string;
  readonly width: number;
  readonly align?: "left" | "right";
}

/**
 * Column widths for a table `width` columns wide; the task column takes what is left, HOST goes first when narrow.
 * `budgets`: some agent has a budget, so a BUDGET column shows how much of it is spent.
 */
export function agentColumns(width: number, longestName: number, budgets = false): Column[] {
  const name = Math.min(24, Math.max(8, longestName));
  const fixed: Column[] = [
    { title: "SESSION", width: name },
    { title: "RUNTIME", width: 7 },
    { title: "HOST", width: 12 },
    { title: "STATE", width: 11 },
    { title: "TASK", width: 0 },
    ...(budgets ? [{ title: "BUDGET", width: 6, align: "right" as const }] : []),
    { title: "UPTIME", width: 7, align: "right" },
    { title: "DONE/FAIL", width: 9, align: "right" },
    { title: "RST", width: 3, align: "right" },
  ];
  const columns = width < 90 ? fixed.filter((c) => c.title !== "HOST") : fixed;
  const used = columns.reduce((sum, c) => sum + c.width, 0) + (columns.length - 1);
  return columns.map((c) => (c.title === "TASK" ? { ...c, width: Math.max(6, width - used) } : c));
}

export function agentHeader(columns: readonly Column[]): string {
  return `{bold}${columns.map((c) => cell(c.title, c.width, undefined, c.align)).join(" ")}{/bold}`;
}

/** One table row with blessed tags; `taskText` is the text of the session's current task when known. */
export function agentRow(row: SessionRow, columns: readonly Column[], taskText: string | undefined, now: number): string {
  const started = row.startedAt ? Date.parse(row.startedAt) : NaN;
  const uptime = row.state !== "down" && row.state !== "lost" && Number.isFinite(started) ? formatDuration(now - started) : "-";
  const task = row.currentTask ? `${row.currentTask}${taskText ? ` ${taskText}` : ""}` : "-";
  const values: Record<string, [string, string | undefined]> = {
    SESSION: [row.name, undefined],
    RUNTIME: [row.runtime, undefined],
    HOST: [row.host || "-", undefined],
    STATE: [displayState(row), STATE_COLORS[displayState(row)]],
    TASK: [task, row.currentTask ? undefined : "gray"],
    BUDGET: [row.budget ? `${spentPercent(row.budget)}%` : "-", row.budget?.paused ? "magenta" : undefined],
    UPTIME: [uptime, undefined],
    "DONE/FAIL": [`${row.completed}/${row.failed}`, row.failed > 0 ? "red" : undefined],
    RST: [String(row.restarts), row.restarts > 0 ? "yellow" : undefined],
  };
  return columns
    .map((c) => {
      const [text, color] = values[c.title] ?? ["", undefined];
      return cell(text, c.width, color, c.align);
    })
    .join(" ");
}

/** Plain (untagged) variant, for `status --watch`. */
export function plainAgentRow(row: SessionRow, columns: readonly Column[], taskText: string | undefined, now: number): string {
  return stripTags(agentRow(row, columns, taskText, now));
}

/** How much of its budget an agent spent this period, in percent of the limit it is closest to. */
export function spentPercent(budget: NonNullable<SessionRow["budget"]>): number {
  const { spent, limit } = budget;
  const shares = [limit.tokens ? spent.tokens / limit.tokens : 0, limit.usd ? spent.usd / limit.usd : 0];
  return Math.floor(Math.max(...shares) * 100);
}
