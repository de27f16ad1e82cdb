export interface RefresherOptions {
  /** Runs never start closer together than this; requests in between are merged into one run. */
  readonly minIntervalMs: number;
  /** When set, a run also happens this long after the previous one ended, requested or not. */
  readonly periodMs?: number;
  /** Where a failed run goes; the refresher itself keeps going. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs one async job on request or on a period, never two at once. A request
 * made while a run is in flight schedules exactly one more run after it; any
 * number of requests inside the minimum interval coalesce into one. The next
 * periodic run is scheduled only after the current one has finished (the
 * claude-squad rule: a slow refresh delays the next, it never piles up).
 */
export class Refresher {
  private running = false;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private lastStart = -Infinity;
  private stopped = true;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: () => Promise<void> | void,
    private readonly options: RefresherOptions,
  ) {}

  /** Starts the period (if any) with an immediate run. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.request();
  }

  /** Asks for a run as soon as the minimum interval allows. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.schedule(Math.max(0, this.lastStart + this.options.minIntervalMs - Date.now()));
  }

  /** Stops scheduling; resolves once a run in flight has finished. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dirty = false;
    this.clearTimer();
    await this.current;
  }

  get busy(): boolean {
    return this.running;
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.run();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    this.dirty = false;
    this.lastStart = Date.now();
    try {
      await this.job();
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.dirty) this.request();
    else if (this.options.periodMs !== undefined) this.schedule(this.options.periodMs);
  }
}
