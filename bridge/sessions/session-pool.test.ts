import { describe, expect, it } from "vitest";
import type { SessionManager } from "../../sessions/index.js";
import { AgentSession } from "./agent-session.js";
import { SessionPool } from "./session-pool.js";

const noManager = (): SessionManager => {
  throw new Error("no tmux in this unit test");
};

function busySession(name: string, taskId: string): AgentSession {
  const session = new AgentSession(name, "web", noManager);
  session.markBusy(taskId);
  return session;
}

describe("SessionPool.release", () => {
  it("frees a busy session for the next task", async () => {
    const session = busySession("web-1", "t1");
    const pool = new SessionPool("web", [session]);
    pool.release(session, "t1");
    expect(session.state).toBe("idle");
    await expect(pool.acquire("t2")).resolves.toBe(session);
  });

  it("leaves a session that went down, or was marked failed by a crash loop, out of the pool with its task", async () => {
    const down = busySession("web-1", "t1");
    const failed = busySession("web-2", "t2");
    const pool = new SessionPool("web", [down, failed]);
    down.markDown("pane died");
    failed.markDown("pane died");
    failed.markFailed();
    pool.release(down, "t1");
    pool.release(failed, "t2");
    expect([down.state, down.currentTask]).toEqual(["down", "t1"]);
    expect([failed.state, failed.currentTask]).toEqual(["failed", "t2"]);
    const waiting = new AbortController();
    const next = pool.acquire("t3", waiting.signal);
    waiting.abort(new Error("no session came free"));
    await expect(next).rejects.toThrow("no session came free");
  });

  it("ignores a release for a task the session no longer runs", () => {
    const session = busySession("web-1", "t2");
    const pool = new SessionPool("web", [session]);
    pool.release(session, "t1");
    expect([session.state, session.currentTask]).toEqual(["busy", "t2"]);
  });
});
