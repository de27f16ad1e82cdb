import { PolledSource } from "./polled-source.js";
import type { LogFn } from "../../core/index.js";
import type { DashboardState } from "../state.js";
import type { SwarmLink } from "./swarm-link.js";
import type { TaskTexts } from "./task-texts.js";

export interface StatusSourceOptions {
  readonly periodMs: number;
  readonly minIntervalMs: number;
  /** Consecutive failed reads after which the swarm counts as gone. */
  readonly failuresBeforeLost: number;
}

/**
 * Periodic snapshots of the swarm (`swarm.status()`: sessions and queue
 * depths), plus early ones when the event stream says something changed.
 * Reads never overlap; a burst of events costs one extra read.
 */
export class StatusSource extends PolledSource {
  private failures = 0;

  constructor(
    private readonly state: DashboardState,
    private readonly link: SwarmLink,
    private readonly texts: TaskTexts,
    private readonly changed: () => void,
    private readonly log: LogFn,
    private readonly options: StatusSourceOptions,
  ) {
    super({
      minIntervalMs: options.minIntervalMs,
      periodMs: options.periodMs,
      onError: (error) => log("status.error", { error }),
    });
  }

  protected async read(): Promise<void> {
    const link = this.link.current;
    if (!link) return;
    try {
      const snapshot = await link.swarm.status();
      this.failures = 0;
      this.state.snapshot = snapshot;
      this.state.snapshotAt = Date.now();
      await this.texts.update(
        link,
        snapshot.sessions.map((s) => s.currentTask).filter((id): id is string => !!id),
      );
    } catch (error) {
      this.failures++;
      this.log("status.read-failed", { failures: this.failures, error });
      if (this.failures >= this.options.failuresBeforeLost) {
        this.failures = 0;
        await this.link.lost((error as Error).message);
      }
    }
    this.changed();
  }
}
