import { SessionManager } from "../../sessions/index.js";
import type { BridgeLog } from "../log-events.js";

/** What the supervision hears from the tmux server. */
export interface TmuxListener {
  /** A shell marker printed in a pane. */
  marker(paneId: string, fields: string[]): void;
  /** One session's tmux session ended. */
  sessionGone(name: string, reason: string): void;
  /** The whole server is gone (killed by hand, OOM): every session with it. */
  serverGone(reason: string): void;
}

/**
 * The private tmux server's control client (SessionManager). When the whole
 * server dies, a new one is started with backoff (0.25 s doubling up to
 * 30 s); the sessions then come back one by one through their restarts.
 */
export class TmuxWatch {
  private readonly timers = new Set<NodeJS.Timeout>();
  private listener: TmuxListener | null = null;
  private closed = false;

  constructor(
    private manager: SessionManager,
    private readonly deps: { readonly paths: Parameters<typeof SessionManager.open>[0]; readonly log: BridgeLog },
  ) {}

  /** The live server's manager: look it up on every use, it is replaced when the server restarts. */
  get current(): SessionManager {
    return this.manager;
  }

  listen(listener: TmuxListener): void {
    this.listener = listener;
    this.subscribe(this.manager);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.manager.close();
  }

  private subscribe(manager: SessionManager): void {
    manager.on("marker", (paneId, fields) => this.listener?.marker(paneId, fields));
    manager.on("session-gone", (name) => this.listener?.sessionGone(name, "its tmux session ended"));
    manager.on("server-gone", (reason) => {
      this.listener?.serverGone(reason);
      this.scheduleRestart(0);
    });
  }

  private scheduleRestart(attempt: number): void {
    const timer = setTimeout(
      async () => {
        this.timers.delete(timer);
        if (this.closed || this.manager.alive) return;
        try {
          const manager = await SessionManager.open(this.deps.paths);
          if (this.closed) return void (await manager.close());
          this.manager = manager;
          this.subscribe(manager);
          this.deps.log("tmux.restarted", { attempt });
        } catch (error) {
          this.deps.log("tmux.restart-failed", { attempt, error });
          this.scheduleRestart(attempt + 1);
        }
      },
      Math.min(30_000, 250 * 2 ** attempt),
    );
    this.timers.add(timer);
  }
}
