import { EventStream, type LogFn, type SwarmEvent } from "../../core/index.js";
import { MAX_EVENTS, type DashboardState } from "../state.js";
import type { Link, SwarmLink } from "./swarm-link.js";

export interface EventSourceOptions {
  /** How long one blocking read waits for new entries. */
  readonly blockMs: number;
  /** How far back the first read goes, so the throughput chart starts with history. */
  readonly backlogMinutes: number;
}

/**
 * Follows the swarm's event stream with blocking reads on the link's
 * dedicated connection: no polling, and a new event shows at once. Feeds the
 * events log and the throughput chart, and tells the others that something
 * changed. The cursor survives a lost link, so nothing is counted twice.
 */
export class EventSource {
  private cursor: string | null = null;
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly state: DashboardState,
    private readonly link: SwarmLink,
    private readonly onEvents: (events: readonly SwarmEvent[]) => void,
    private readonly log: LogFn,
    private readonly options: EventSourceOptions,
  ) {}

  /** Starts following on a (new) link; a previous loop ends by itself. */
  follow(link: Link): void {
    const generation = ++this.generation;
    void this.loop(link, generation);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
  }

  private active(link: Link, generation: number): boolean {
    return !this.stopped && generation === this.generation && this.link.current === link;
  }

  private async loop(link: Link, generation: number): Promise<void> {
    const stream = new EventStream(link.blocking, link.swarm.client.events.key);
    this.cursor ??= `${Date.now() - this.options.backlogMinutes * 60_000}-0`;
    while (this.active(link, generation)) {
      let events: SwarmEvent[];
      try {
        events = await stream.read(this.cursor, this.options.blockMs, 1000);
      } catch (error) {
        if (!this.active(link, generation)) return;
        this.log("events.read-failed", { error });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!this.active(link, generation) || events.length === 0) continue;
      this.cursor = events.at(-1)!.id;
      for (const event of events) this.state.throughput.add(event);
      const merged = this.state.events.concat(events);
      this.state.events = merged.length > MAX_EVENTS ? merged.slice(-MAX_EVENTS) : merged;
      this.onEvents(events);
    }
  }
}
