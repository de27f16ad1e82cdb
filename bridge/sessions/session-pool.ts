import type { AgentSession } from "./agent-session.js";

interface Pending {
  resolve(session: AgentSession): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** The replicas of one agent; each takes one job at a time. */
export class SessionPool {
  private readonly pending: Pending[] = [];

  constructor(
    readonly agent: string,
    readonly sessions: readonly AgentSession[],
  ) {}

  get(name: string): AgentSession | undefined {
    return this.sessions.find((session) => session.name === name);
  }

  /** Takes an idle session, waiting for one if all are busy or down. */
  acquire(taskId: string, signal?: AbortSignal): Promise<AgentSession> {
    const idle = this.sessions.find((session) => session.state === "idle");
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
      const idle = this.sessions.find((session) => session.state === "idle");
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

  private take(session: AgentSession, taskId: string): AgentSession {
    session.markBusy(taskId);
    return session;
  }
}
