import { join } from "node:path";
import type { Swarm } from "../../client/index.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One task the suite submitted and the swarm accepted. */
export interface Tracked {
  readonly label: string;
  readonly id: string;
  readonly agent: string;
  /** When the swarm accepted it (ms since epoch). */
  readonly acceptedAt: number;
  /** Submissions tried before one was accepted (each failed while Redis was unreachable). */
  readonly failedTries: number;
}

/** Where the tasks of a run leave their traces: `start <label>` and `done <label>` lines, appended by the tasks themselves. */
export interface Traces {
  readonly starts: string;
  readonly done: string;
}

export function traces(dir: string): Traces {
  return { starts: join(dir, "starts.log"), done: join(dir, "done.log") };
}

/**
 * The bash text of a counted task: it records its start, sleeps, records its
 * completion and prints its label (the expected output). A run killed with its
 * pane legitimately starts again; only `done` lines count completions.
 */
export function countedTask(t: Traces, label: string, sleepSec: number): string {
  const nap = sleepSec > 0 ? `sleep ${sleepSec}; ` : "";
  return `echo start ${label} >> ${t.starts}; ${nap}echo done ${label} >> ${t.done}; echo ${label}`;
}

/**
 * Submits with an idempotency key and retries the same key until the swarm
 * accepts it, as a careful client does while Redis is unreachable: a retried
 * submission can never make a second task.
 */
export async function submitTracked(
  client: Swarm,
  options: { label: string; task: string; agent: string; priority?: number; giveUpAfterMs?: number },
): Promise<Tracked> {
  const deadline = Date.now() + (options.giveUpAfterMs ?? 45_000);
  let failedTries = 0;
  for (;;) {
    try {
      const submitted = await client.submit({ task: options.task, agent: options.agent, priority: options.priority, idempotencyKey: `rel-${options.label}` });
      return { label: options.label, id: submitted.id, agent: submitted.agent, acceptedAt: Date.now(), failedTries };
    } catch (error) {
      failedTries++;
      if (Date.now() > deadline) throw new Error(`submission of ${options.label} not accepted for ${options.giveUpAfterMs ?? 45_000} ms: ${String(error)}`);
      await sleep(100);
    }
  }
}

/**
 * A steady stream of short counted tasks, alternating between agents, one
 * every `everyMs`, bounded by `maxTasks` and by `stop()`. Submissions that
 * fail (Redis down) are retried with their idempotency key in the background.
 */
export class TaskStream {
  readonly tasks: Tracked[] = [];
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private n = 0;
  private readonly errors: string[] = [];

  constructor(
    private readonly client: Swarm,
    private readonly options: { prefix: string; agents: readonly string[]; traces: Traces; everyMs: number; maxTasks: number; sleepSec: number },
  ) {}

  start(): this {
    const tick = (): void => {
      if (this.n >= this.options.maxTasks) return this.halt();
      const i = this.n++;
      const label = `${this.options.prefix}-${i}`;
      const agent = this.options.agents[i % this.options.agents.length]!;
      const p = submitTracked(this.client, { label, agent, task: countedTask(this.options.traces, label, this.options.sleepSec) })
        .then((tracked) => void this.tasks.push(tracked))
        .catch((error: unknown) => void this.errors.push(String(error)))
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    };
    tick();
    this.timer = setInterval(tick, this.options.everyMs);
    return this;
  }

  get submitted(): number {
    return this.n;
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops submitting and waits until every submission is accepted; returns the accepted tasks. */
  async stop(): Promise<Tracked[]> {
    this.halt();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.errors.length > 0) throw new Error(`${this.errors.length} submissions never accepted: ${this.errors[0]}`);
    return this.tasks;
  }
}
