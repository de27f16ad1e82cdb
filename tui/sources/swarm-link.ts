import type { Redis } from "ioredis";
import { createRedis, isClaudeAgentError, localOrigin, redisTarget, type HomePaths, type LogFn } from "../../core/index.js";
import { connect, type Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";

export interface Link {
  readonly swarm: Swarm;
  /** A dedicated connection for blocking reads of the event stream. */
  readonly blocking: Redis;
  /** The workflow store's reads, through its own module (the TUI never builds its keys). */
  readonly workflows: WorkflowClient;
}

export interface SwarmLinkOptions {
  readonly paths: HomePaths;
  readonly prefix?: string;
  readonly retryMs: number;
  readonly log: LogFn;
  /** Called on every change: connected, lost, still waiting (with why). */
  readonly onChange: (status: "up" | "waiting", detail: string) => void;
}

/**
 * The dashboard's connection to the swarm. While no swarm runs it retries
 * quietly and reports why it waits; when the swarm goes away it is told so
 * by the data sources (`lost`) and starts waiting again. It never touches
 * the swarm's state: it only connects as a client.
 */
export class SwarmLink {
  current: Link | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private lastDetail = "";
  private readonly upListeners = new Set<(link: Link) => void>();

  constructor(private readonly options: SwarmLinkOptions) {}

  start(): void {
    void this.attempt();
  }

  onUp(listener: (link: Link) => void): void {
    this.upListeners.add(listener);
  }

  /** A source saw the swarm go away: drop the connection and wait for it again. */
  async lost(reason: string): Promise<void> {
    const link = this.current;
    if (!link || this.closed) return;
    this.current = null;
    this.options.log("link.lost", { reason });
    await release(link);
    this.report(`lost the swarm: ${reason}`);
    this.retry();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const link = this.current;
    this.current = null;
    if (link) await release(link);
  }

  private async attempt(): Promise<void> {
    this.timer = null;
    if (this.closed) return;
    try {
      const swarm = await connect({ home: this.options.paths.root, prefix: this.options.prefix, origin: localOrigin("tui") });
      if (this.closed) return void (await swarm.close());
      const blocking = createRedis(redisTarget(this.options.paths), { worker: true, name: "tui:events" });
      blocking.on("error", () => undefined);
      const link: Link = { swarm, blocking, workflows: new WorkflowClient(swarm.client) };
      this.current = link;
      this.lastDetail = "";
      this.options.log("link.up", {});
      this.options.onChange("up", "");
      for (const listener of this.upListeners) listener(link);
    } catch (error) {
      const detail = isClaudeAgentError(error) ? error.message : `cannot reach the swarm: ${(error as Error).message}`;
      this.report(detail);
      this.retry();
    }
  }

  private report(detail: string): void {
    if (detail !== this.lastDetail) this.options.log("link.waiting", { detail });
    this.lastDetail = detail;
    this.options.onChange("waiting", detail);
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => void this.attempt(), this.options.retryMs);
  }
}

async function release(link: Link): Promise<void> {
  link.blocking.disconnect();
  // Closing BullMQ queues against a dead Redis can hang: never let that hold the dashboard up.
  await Promise.race([link.swarm.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
}
