import type { LogFn } from "../core/index.js";
import type { LeaderTerm } from "../supervisor/index.js";

/** One running part of the control loop (the sweeper, the workflow service, the history writer, the notifier). */
export interface ControlPart {
  close(): Promise<void>;
}

/** Starts one part for a term; null: a swarm without `hosts:`, whose one daemon leads unfenced. */
export type StartPart = (term: LeaderTerm | null) => Promise<ControlPart>;

/**
 * The parts of a swarm that exactly one daemon runs: started when its daemon
 * wins the leader lease (or at start-up in a swarm without `hosts:`), in order,
 * and stopped together the moment its term ends. Starts and stops run one after the
 * other, so a term that ends while its parts are still starting stops them
 * once they have started, and the next term starts after that.
 */
export class ControlLoop {
  private running: ControlPart[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly parts: readonly StartPart[],
    private readonly log: LogFn,
  ) {}

  /** Starts every part for `term`. A part that fails to start: the ones started are stopped again and the error is thrown. */
  begin(term: LeaderTerm | null): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      try {
        for (const start of this.parts) this.running.push(await start(term));
      } catch (error) {
        await this.stopAll();
        throw error;
      }
      if (term !== null) this.log("control.started", { term: term.token });
    });
  }

  /** Stops every running part (the term ended). */
  end(): Promise<void> {
    return this.enqueue(() => this.stopAll());
  }

  /** Stops every part for good; a later begin() starts nothing. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    return this.end();
  }

  /** Resolves when every start and stop asked for so far is done. */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined); // each start and stop told its own caller how it went
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.catch(() => undefined).then(work); // the previous work's caller got its failure
    this.queue = next;
    return next;
  }

  /** All at once: a term that ended must not keep any part running while another waits for its turn to close. */
  private async stopAll(): Promise<void> {
    const parts = this.running;
    this.running = [];
    await Promise.all(parts.map((part) => part.close().catch((error: unknown) => this.log("control.stop-failed", { error }))));
    if (parts.length > 0) this.log("control.stopped", { parts: parts.length });
  }
}
