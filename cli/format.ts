import { existsSync } from "node:fs";
import { terminalLine, type TaskResult } from "../core/index.js";

/**
 * A plain left-aligned table; the widest cell of each column sets its width.
 * Cells are someone else's text (task text, agent names from Redis, reasons):
 * each is made one safe line first, so a newline or a control character can
 * neither break the layout nor reach the terminal.
 */
export function table(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(terminalLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function duration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Exit code of a command that reports a task: 0 completed, 1 any other end; 0 while it is still going. */
export function exitCodeFor(result: TaskResult): number {
  return result.status === "completed" || result.status === "queued" || result.status === "running" ? 0 : 1;
}

/**
 * A result as a person reads it. The caller prints it through `print`
 * (cli/output.ts), which passes it through `terminalText`: a task's output
 * cannot move the cursor back over the first line, retitle the terminal or
 * write the clipboard. The first line comes from our fields only.
 */
export function describeResult(result: TaskResult): string {
  const head = [
    `task ${result.id}: ${result.status}`,
    result.exitCode !== null ? `exit ${result.exitCode}` : null,
    `agent ${result.agent}${result.session ? ` (${result.session}${result.host ? ` on ${result.host}` : ""})` : ""}${result.account ? ` · account ${result.account}` : ""}`,
    result.durationMs !== null ? duration(result.durationMs) : null,
    result.attempts > 1 ? `${result.attempts} attempts` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const lines = [head];
  if (result.reason) lines.push(`reason: ${result.reason}`);
  if (result.outputError) lines.push(`warning: ${result.outputError}`);
  if (result.changedFiles) lines.push(`changed: ${changedSummary(result.changedFiles)}${result.commit ? ` · commit ${result.commit.slice(0, 12)}` : ""}`);
  if (result.gateOutput) lines.push("", "gate output (last lines):", ...result.gateOutput.trimEnd().split("\n").slice(-20));
  if (result.output) lines.push("", result.output.replace(/\n$/, ""));
  // An interactive task's output file is the result file its agent was asked to write: a failed one may have none.
  const shownOutput = !!result.outputFile && existsSync(result.outputFile);
  if (shownOutput) lines.push("", `full output: ${result.outputFile}`);
  if (result.castFile) lines.push(`${shownOutput ? "" : "\n"}recording:   ${result.castFile} (claude-agent replay ${result.id})`);
  return lines.join("\n");
}

function changedSummary(files: readonly string[]): string {
  if (files.length === 0) return "nothing";
  const shown = files.slice(0, 8).join(", ");
  return files.length > 8 ? `${shown} and ${files.length - 8} more` : shown;
}
