import { PolledSource } from "./polled-source.js";
import type { LogFn } from "../../core/index.js";
import type { DashboardState } from "../state.js";
import { taskView, type TaskView } from "../views/tasks-view.js";
import type { SwarmLink } from "./swarm-link.js";

/** The tasks view shows at most this many (a tall terminal's panel); each refresh reads them all. */
export const RECENT_TASKS = 40;

/**
 * The recent tasks (`SwarmClient.recentTasks`), newest first, for the tasks
 * view. Read only while that view shows (`wanted`): with it hidden, the
 * dashboard costs the swarm nothing more than before it existed.
 */
export class TaskSource extends PolledSource {
  constructor(
    private readonly state: DashboardState,
    private readonly link: SwarmLink,
    private readonly wanted: () => boolean,
    private readonly changed: () => void,
    log: LogFn,
    options: { periodMs: number; minIntervalMs: number },
  ) {
    super({ ...options, onError: (error) => log("tasks.error", { error }) });
  }

  protected async read(): Promise<void> {
    const link = this.link.current;
    if (!link || !this.wanted()) return;
    const tasks: TaskView[] = [];
    for await (const record of link.swarm.client.recentTasks(RECENT_TASKS)) tasks.push(taskView(record));
    const before = JSON.stringify(this.state.tasks);
    this.state.tasks = tasks;
    if (JSON.stringify(tasks) !== before) this.changed();
  }
}
