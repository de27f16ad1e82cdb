import { Refresher, type RefresherOptions } from "../refresher.js";

/**
 * A source the dashboard reads on a timer and when poked (an event arrived, an
 * action was taken): the refresher's start/poke/stop, shared by every polled
 * source; a subclass says only what one read does.
 */
export abstract class PolledSource {
  private readonly refresher: Refresher;

  protected constructor(options: RefresherOptions) {
    this.refresher = new Refresher(() => this.read(), options);
  }

  start(): void {
    this.refresher.start();
  }

  /** Something changed: read soon. */
  poke(): void {
    this.refresher.request();
  }

  stop(): Promise<void> {
    return this.refresher.stop();
  }

  protected abstract read(): Promise<void>;
}
