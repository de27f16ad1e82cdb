/**
 * What the screenshots started, stopped in reverse order exactly once: at
 * the end, on failure, or on Ctrl-C, whichever comes first (a later call
 * waits for the same run). Once it has begun, nothing new may start
 * (`check`), so that an interrupted run leaves no swarm behind.
 */
export class Teardown {
  private readonly steps: (() => unknown)[] = [];
  private running: Promise<void> | null = null;

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  get begun(): boolean {
    return this.running !== null;
  }

  /** Throws once the teardown has begun. */
  check(): void {
    if (this.begun) throw new Error("interrupted");
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        try {
          await this.steps.pop()!();
        } catch (error) {
          console.error(`cleanup: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
