import type { AgentSession } from "./agent-session.js";

interface Pending {
  resolve(session: AgentSession): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The replicas of one agent; each takes one job at a time. A session a
 * person has taken over (its terminal, from the web dashboard) is held: it
 * finishes what it runs, but gets no new job until it is handed back or the
 * hold lapses.
 */
export class SessionPool {
  private readonly pending: Pending[] = [];
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly agent: string,
    readonly sessions: readonly AgentSession[],
  ) {}

  get(name: string): AgentSession | undefined {
    return this.sessions.find((session) => session.name === name);
  }

  /** Takes an idle session that is not held, waiting for one if all are busy, down or held. */
  acquire(taskId: string, signal?: AbortSignal): Promise<AgentSession> {
    const idle = this.free();
    if (idle) return Promise.resolve(this.take(idle, taskId));
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry: Pending = {
        resolve: (session) => resolve(this.take(session, taskId)),
        reject,
        signal,
        onAbort: () => {
          this.pending.splice(this.pending.indexOf(entry), 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", entry.onAbort, { once: true });
      this.pending.push(entry);
    });
  }

  /** Marks a session busy with a job it is already running (re-adoption). */
  occupy(session: AgentSession, taskId: string): void {
    this.take(session, taskId);
  }

  /** Frees `session` for the next task, when it still holds `taskId` (a second release of one task is a no-op). */
  release(session: AgentSession, taskId: string): void {
    if (session.currentTask !== taskId) return;
    // A session that went down keeps its task: when only our tmux client died, its pane still runs
    // it, and the session's restart re-adopts it from this (supervision/bring-up.ts). A session
    // marked failed (a crash loop) is down too: marking it idle handed the next task to a dead pane,
    // and each try restarted it again (seen when a counted restart reached the crash limit).
    if (session.state === "down" || session.state === "failed") return;
    session.markIdle();
    this.wake();
  }

  /** Hands idle sessions to waiting jobs (call when a session comes up). */
  wake(): void {
    for (;;) {
      const idle = this.free();
      const next = this.pending.shift();
      if (!next) return;
      if (!idle) {
        this.pending.unshift(next);
        return;
      }
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(idle);
    }
  }

  /** Gives `name` no new job until `untilMs` (a renewed hold moves the time); false when the pool has no such session. */
  hold(name: string, untilMs: number): boolean {
    if (!this.get(name)) return false;
    clearTimeout(this.held.get(name));
    const timer = setTimeout(() => this.handBack(name), Math.max(0, untilMs - Date.now()));
    timer.unref();
    this.held.set(name, timer);
    return true;
  }

  /** Ends a hold (the person handed the session back, or the hold lapsed); a session not held is left as it is. */
  handBack(name: string): void {
    const timer = this.held.get(name);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.held.delete(name);
    this.wake();
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private free(): AgentSession | undefined {
    return this.sessions.find((session) => session.state === "idle" && !this.held.has(session.name));
  }

  private take(session: AgentSession, taskId: string): AgentSession {
    session.markBusy(taskId);
    return session;
  }
}
