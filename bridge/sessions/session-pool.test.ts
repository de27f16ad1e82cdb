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

describe("SessionPool holds (a person took a session's terminal over)", () => {
  it("gives a held session no new task until it is handed back, and hands the task to another replica meanwhile", async () => {
    const one = new AgentSession("web-1", "web", noManager);
    const two = busySession("web-2", "t0");
    one.markIdle();
    const pool = new SessionPool("web", [one, two]);
    expect(pool.hold("web-1", Date.now() + 60_000)).toBe(true);
    expect(pool.isHeld("web-1")).toBe(true);
    let got: AgentSession | null = null;
    const waiting = pool.acquire("t1").then((session) => (got = session));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got).toBeNull(); // web-1 is idle but held; web-2 is busy
    pool.release(two, "t0");
    await waiting;
    expect(got).toBe(two);
    const next = pool.acquire("t2");
    pool.handBack("web-1");
    await expect(next).resolves.toBe(one);
    expect(pool.hold("web-9", Date.now() + 1000)).toBe(false);
  });

  it("lets a hold lapse at its time, so a person who vanished without handing back does not hold the session for ever", async () => {
    const one = new AgentSession("web-1", "web", noManager);
    one.markIdle();
    const pool = new SessionPool("web", [one]);
    pool.hold("web-1", Date.now() + 50);
    await expect(pool.acquire("t1")).resolves.toBe(one);
    expect(pool.isHeld("web-1")).toBe(false);
  });
});
