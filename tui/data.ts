import type { HomePaths, LogFn, SwarmEvent } from "../core/index.js";
import { PaneMirror } from "./pane-mirror.js";
import { EventSource } from "./sources/event-source.js";
import { HealthSource } from "./sources/health-source.js";
import { StatusSource } from "./sources/status-source.js";
import { SwarmLink, type Link } from "./sources/swarm-link.js";
import { TaskSource } from "./sources/task-source.js";
import { TaskTexts } from "./sources/task-texts.js";
import { WorkflowSource } from "./sources/workflow-source.js";
import type { DashboardState } from "./state.js";

/** Intervals, in one place. */
export const TUNING = {
  statusPeriodMs: 1000,
  statusMinMs: 200,
  failuresBeforeLost: 3,
  workflowPeriodMs: 2000,
  workflowMinMs: 500,
  tasksPeriodMs: 2000,
  tasksMinMs: 300,
  healthPeriodMs: 2000,
  eventBlockMs: 5000,
  backlogMinutes: 60,
  paneMinMs: 250,
  tmuxProbeMs: 2000,
  linkRetryMs: 1000,
} as const;

/**
 * Every data source of the dashboard, wired together: the link to the swarm,
 * and what reads through it into the shared state. Events make the snapshot,
 * workflow and pane sources refresh early; each source still never overlaps
 * itself. `changed` asks the dashboard to redraw.
 */
export class DashboardData {
  readonly link: SwarmLink;
  readonly mirror: PaneMirror;
  private readonly status: StatusSource;
  private readonly events: EventSource;
  private readonly workflows: WorkflowSource;
  private readonly health: HealthSource;
  private readonly tasks: TaskSource;

  /** `tasksShown`: whether the tasks view is on screen (its source reads only then). */
  constructor(state: DashboardState, paths: HomePaths, prefix: string | undefined, changed: () => void, log: LogFn, tasksShown: () => boolean) {
    this.link = new SwarmLink({
      paths,
      prefix,
      retryMs: TUNING.linkRetryMs,
      log,
      onChange: (status, detail) => {
        state.link = { status, detail };
        this.health.poke();
        changed();
      },
    });
    this.status = new StatusSource(state, this.link, new TaskTexts(state.taskTexts), changed, log, {
      periodMs: TUNING.statusPeriodMs,
      minIntervalMs: TUNING.statusMinMs,
      failuresBeforeLost: TUNING.failuresBeforeLost,
    });
    this.events = new EventSource(
      state,
      this.link,
      (events) => {
        this.onEvents(events);
        changed();
      },
      log,
      { blockMs: TUNING.eventBlockMs, backlogMinutes: TUNING.backlogMinutes },
    );
    this.workflows = new WorkflowSource(state, this.link, changed, log, { periodMs: TUNING.workflowPeriodMs, minIntervalMs: TUNING.workflowMinMs });
    this.tasks = new TaskSource(state, this.link, tasksShown, changed, log, { periodMs: TUNING.tasksPeriodMs, minIntervalMs: TUNING.tasksMinMs });
    this.health = new HealthSource(state, this.link, changed, { periodMs: TUNING.healthPeriodMs });
    this.mirror = new PaneMirror(state, changed, log, {
      socket: paths.tmuxSocket,
      tmuxConf: paths.tmuxConf,
      minIntervalMs: TUNING.paneMinMs,
      probeMs: TUNING.tmuxProbeMs,
    });
    this.link.onUp((link) => this.onLinkUp(link));
  }

  start(): void {
    this.link.start();
    this.status.start();
    this.workflows.start();
    this.tasks.start();
    this.health.start();
    this.mirror.start();
  }

  /** An action changed the swarm: read it again soon. */
  refresh(): void {
    this.status.poke();
  }

  /** The tasks view came into sight: read the tasks now rather than at the next period. */
  tasksWanted(): void {
    this.tasks.poke();
  }

  /** Stops every source and lets go of Redis and tmux. Idempotent. */
  async close(): Promise<void> {
    this.events.stop();
    await Promise.allSettled([this.status.stop(), this.workflows.stop(), this.tasks.stop(), this.health.stop(), this.mirror.close(), this.link.close()]);
  }

  private onLinkUp(link: Link): void {
    this.events.follow(link);
    this.status.poke();
    this.workflows.poke();
    this.tasks.poke();
    this.health.poke();
    this.mirror.panesChanged();
  }

  private onEvents(events: readonly SwarmEvent[]): void {
    this.status.poke();
    // A session (re)started: its pane is a new one.
    if (events.some((e) => e.type.startsWith("agent."))) this.mirror.panesChanged();
    if (events.some((e) => e.type.startsWith("task.") || e.type.startsWith("workflow."))) this.workflows.poke();
    if (events.some((e) => e.type.startsWith("task."))) this.tasks.poke();
  }
}
