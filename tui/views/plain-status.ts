import type { SwarmStatus } from "../../client/index.js";
import type { SessionRow, WorkflowView } from "../state.js";
import { agentColumns, plainAgentRow } from "./agents-view.js";
import { queueLines } from "./queues-view.js";
import { stripTags } from "./text.js";

export interface PlainSnapshot {
  readonly status: SwarmStatus;
  readonly taskTexts: ReadonlyMap<string, string>;
  readonly workflows: readonly WorkflowView[];
  readonly redisMs: number;
}

/** The `status --watch` screen as plain lines (no colour, no cursor movement), fitted to `width`. */
export function plainStatus(snapshot: PlainSnapshot, width: number, now: number): string[] {
  const { status } = snapshot;
  const rows: SessionRow[] = status.agents.flatMap((agent) => agent.sessions.map((s) => ({ ...s, runtime: agent.runtime })));
  const busy = rows.filter((r) => r.state === "busy").length;
  const head = [
    `redis ok ${snapshot.redisMs.toFixed(1)}ms`,
    status.daemon.alive ? `supervisor up (pid ${status.daemon.pid})` : "supervisor DOWN",
    `${rows.length} session${rows.length === 1 ? "" : "s"}, ${busy} busy`,
  ].join(" · ");
  const columns = agentColumns(
    width,
    Math.max(0, ...rows.map((r) => r.name.length)),
    rows.some((r) => r.budget),
  );
  const lines = [
    head,
    "",
    stripTags(columns.map((c) => (c.align === "right" ? c.title.padStart(c.width) : c.title.padEnd(c.width))).join(" ")).trimEnd(),
    ...rows.map((row) => plainAgentRow(row, columns, row.currentTask ? snapshot.taskTexts.get(row.currentTask) : undefined, now).trimEnd()),
    "",
    ...queueLines(
      status.agents.map((a) => a.queue),
      Math.min(width, 60),
    ).map((line) => stripTags(line).trimEnd()),
  ];
  if (snapshot.workflows.length > 0) {
    lines.push("");
    for (const wf of snapshot.workflows) {
      lines.push(`workflow ${wf.workflow} ${wf.id} ${wf.status}: ${wf.steps.map((s) => `${s.id}=${s.status}`).join(" ")}`);
    }
  }
  return lines.map((line) => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line));
}
