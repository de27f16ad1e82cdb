import type { SwarmEvent, SessionInfo } from "../core/index.js";
import { breakerHolds, type AgentStatus, type SwarmStatus } from "../client/index.js";
import type { LowerPanel } from "./panels.js";
import { Throughput } from "./sources/throughput.js";
import type { TaskView } from "./views/tasks-view.js";

/** One step of a workflow execution, as far as the dashboard cares. */
export interface WorkflowStepView {
  readonly id: string;
  readonly status: string;
  readonly agent: string | null;
}

export interface WorkflowView {
  readonly id: string;
  readonly workflow: string;
  readonly status: string;
  readonly steps: readonly WorkflowStepView[];
  /** When it finished (ISO 8601); null while it runs. */
  readonly finishedAt: string | null;
}

export type Level = "info" | "warn" | "error";

/**
 * Everything the dashboard shows, in one mutable model: data sources write
 * their part and ask for a render; the renderer only reads it.
 */
export interface DashboardState {
  readonly home: string;
  /** "waiting" until the swarm's Redis answers; "down" once it stopped answering. */
  link: { status: "connecting" | "up" | "waiting"; detail: string };
  snapshot: SwarmStatus | null;
  snapshotAt: number;
  /** Task text of the tasks sessions are running, by task id. */
  readonly taskTexts: Map<string, string>;
  /** Newest last; bounded. */
  events: SwarmEvent[];
  readonly throughput: Throughput;
  /** Running workflow executions, then those finished lately (newest first). */
  workflows: readonly WorkflowView[] | null;
  /** The recent tasks, newest first; null until read (read only while the tasks view shows). */
  tasks: readonly TaskView[] | null;
  /** The lower panel the user chose (Tab, t): the one shown when they take turns, else events or tasks. */
  lower: LowerPanel;
  redis: { ok: boolean; latencyMs: number | null; error: string | null };
  pane: { session: string | null; paneId: string | null; capture: string | null; note: string; capturedAt: number };
  /** Session name of the selected row. */
  selected: string | null;
  filter: string;
  message: { text: string; level: Level; at: number } | null;
  /** Open inbox items (inbox-panel.ts keeps it); shown as a count in the status bar. */
  inboxOpen: number;
}

export const MAX_EVENTS = 300;

export function createState(home: string): DashboardState {
  return {
    home,
    link: { status: "connecting", detail: "" },
    snapshot: null,
    snapshotAt: 0,
    taskTexts: new Map(),
    events: [],
    inboxOpen: 0,
    throughput: new Throughput(),
    workflows: null,
    tasks: null,
    lower: "events",
    redis: { ok: false, latencyMs: null, error: null },
    pane: { session: null, paneId: null, capture: null, note: "", capturedAt: 0 },
    selected: null,
    filter: "",
    message: null,
  };
}

/** A session row with the runtime of its agent. */
export interface SessionRow extends SessionInfo {
  readonly runtime: string;
  /** Set while the agent's queue is parked by a rate limit. */
  readonly parkedUntil?: string;
  /** Set while the agent's circuit breaker is open or half-open. */
  readonly breaker?: AgentStatus["breaker"];
  /** Agents with `budget:`: this period's spend, and whether it paused the queue. */
  readonly budget?: AgentStatus["budget"];
}

/** The sessions the table shows, in config order, narrowed by the filter. */
export function visibleSessions(state: DashboardState): SessionRow[] {
  const rows = (state.snapshot?.agents ?? []).flatMap((agent) =>
    agent.sessions.map((s) => ({
      ...s,
      runtime: agent.runtime,
      ...(agent.parkedUntil ? { parkedUntil: agent.parkedUntil } : {}),
      // In a swarm spanning hosts a breaker holds only its host's sessions.
      ...(breakerHolds(agent.breaker, s) ? { breaker: agent.breaker } : {}),
      ...(agent.budget ? { budget: agent.budget } : {}),
    })),
  );
  const needle = state.filter.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) =>
    [row.name, row.agent, row.runtime, row.state, row.host, row.currentTask ?? "", state.taskTexts.get(row.currentTask ?? "") ?? ""].some((field) =>
      field.toLowerCase().includes(needle),
    ),
  );
}

export function selectedRow(state: DashboardState): SessionRow | null {
  return visibleSessions(state).find((row) => row.name === state.selected) ?? null;
}

export function say(state: DashboardState, text: string, level: Level = "info"): void {
  state.message = { text, level, at: Date.now() };
}

/** The visible row `delta` rows from the selected one (clamped), or the first or last; null when none is visible. */
export function rowAfter(state: DashboardState, delta: number | "top" | "bottom"): SessionRow | null {
  const rows = visibleSessions(state);
  if (rows.length === 0) return null;
  const at = rows.findIndex((r) => r.name === state.selected);
  const next = delta === "top" ? 0 : delta === "bottom" ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, Math.max(at, 0) + delta));
  return rows[next]!;
}
