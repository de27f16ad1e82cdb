/**
 * A wake-up that is not lost: a wake() that comes between reset() and wait()
 * makes wait() return at once. The driver resets before reading the state, so
 * a step that ends while the driver is busy is never missed.
 */
export class Waker {
  private dirty = false;
  private waiter: (() => void) | null = null;

  wake(): void {
    this.dirty = true;
    this.waiter?.();
  }

  reset(): void {
    this.dirty = false;
  }

  /** Until wake() or `ms`, whichever comes first. */
  async wait(ms: number): Promise<void> {
    if (this.dirty) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiter = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.waiter = null;
  }
}
