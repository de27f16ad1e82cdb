import { describe, expect, it } from "vitest";
import { Breaker } from "./breaker.js";

const SETTINGS = { threshold: 3, openMs: 1_000, maxOpenMs: 5_000 };

/** A breaker opened at t=0 by `threshold` infrastructure failures. */
function opened(): Breaker {
  const breaker = new Breaker(SETTINGS);
  for (let i = 0; i < SETTINGS.threshold; i++) breaker.failed(0, `failure ${i + 1}`, false);
  return breaker;
}

describe("Breaker", () => {
  it("lets every job through while closed", () => {
    const breaker = new Breaker(SETTINGS);
    expect(breaker.admit(0)).toEqual({ allowed: true, probe: false });
    expect(breaker.admit(0)).toEqual({ allowed: true, probe: false });
    expect(breaker.snapshot.state).toBe("closed");
  });

  it("opens after threshold infrastructure failures in a row, with the last one as its reason", () => {
    const breaker = new Breaker(SETTINGS);
    expect(breaker.failed(10, "a", false)).toBeNull();
    expect(breaker.failed(20, "b", false)).toBeNull();
    expect(breaker.failed(30, "pane did not start the job", false)).toEqual({
      kind: "opened",
      until: 1_030,
      openMs: 1_000,
      reason: "pane did not start the job",
      afterProbe: false,
    });
    expect(breaker.snapshot).toEqual({ state: "open", until: 1_030, openMs: 1_000, reason: "pane did not start the job" });
  });

  it("does not open when a task result comes between failures", () => {
    const breaker = new Breaker(SETTINGS);
    breaker.failed(0, "a", false);
    breaker.failed(0, "b", false);
    expect(breaker.succeeded(false)).toBeNull();
    expect(breaker.failed(0, "c", false)).toBeNull();
    expect(breaker.failed(0, "d", false)).toBeNull();
    expect(breaker.snapshot.state).toBe("closed");
  });

  it("takes no job while open and says how long to wait", () => {
    const breaker = opened();
    expect(breaker.admit(400)).toEqual({ allowed: false, retryInMs: 600 });
    expect(breaker.admit(999)).toEqual({ allowed: false, retryInMs: 1 });
  });

  it("lets exactly one probe through once the open period is over", () => {
    const breaker = opened();
    expect(breaker.admit(1_000)).toEqual({ allowed: true, probe: true });
    expect(breaker.snapshot.state).toBe("half-open");
    expect(breaker.admit(1_001)).toMatchObject({ allowed: false });
    expect(breaker.admit(5_000)).toMatchObject({ allowed: false });
  });

  it("closes when the probe succeeds, and lets jobs through again", () => {
    const breaker = opened();
    breaker.admit(1_000);
    expect(breaker.succeeded(true)).toEqual({ kind: "closed" });
    expect(breaker.snapshot).toEqual({ state: "closed", until: 0, openMs: 1_000, reason: "" });
    expect(breaker.admit(1_001)).toEqual({ allowed: true, probe: false });
  });

  it("needs threshold new failures to open again after closing", () => {
    const breaker = opened();
    breaker.admit(1_000);
    breaker.succeeded(true);
    expect(breaker.failed(1_100, "x", false)).toBeNull();
    expect(breaker.failed(1_200, "y", false)).toBeNull();
    expect(breaker.failed(1_300, "z", false)).toMatchObject({ kind: "opened", openMs: 1_000, until: 2_300 });
  });

  it("opens again for twice as long when the probe fails, up to the cap", () => {
    const breaker = opened();
    const periods: number[] = [];
    let now = 1_000;
    for (let i = 0; i < 5; i++) {
      expect(breaker.admit(now)).toEqual({ allowed: true, probe: true });
      const transition = breaker.failed(now, `probe ${i} failed`, true);
      expect(transition).toMatchObject({ kind: "opened", afterProbe: true, reason: `probe ${i} failed` });
      if (transition?.kind !== "opened") throw new Error("not opened");
      periods.push(transition.openMs);
      expect(transition.until).toBe(now + transition.openMs);
      now = transition.until;
    }
    expect(periods).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it("starts again from the first open period after closing", () => {
    const breaker = opened();
    breaker.admit(1_000);
    breaker.failed(1_000, "probe failed", true); // open for 2 s
    breaker.admit(3_000);
    breaker.succeeded(true);
    for (let i = 0; i < 3; i++) breaker.failed(4_000, "again", false);
    expect(breaker.snapshot).toMatchObject({ state: "open", openMs: 1_000, until: 5_000 });
  });

  it("ignores results of jobs taken before it opened", () => {
    const breaker = opened();
    expect(breaker.succeeded(false)).toBeNull();
    expect(breaker.failed(10, "late", false)).toBeNull();
    expect(breaker.snapshot).toMatchObject({ state: "open", until: 1_000, reason: "failure 3" });
    breaker.admit(1_000);
    expect(breaker.succeeded(false)).toBeNull();
    expect(breaker.failed(1_010, "late too", false)).toBeNull();
    expect(breaker.snapshot.state).toBe("half-open");
  });

  it("lets the next job probe when the probe tested nothing", () => {
    const breaker = opened();
    expect(breaker.admit(1_000)).toMatchObject({ probe: true });
    breaker.released(true);
    expect(breaker.snapshot.state).toBe("half-open");
    expect(breaker.admit(1_001)).toEqual({ allowed: true, probe: true });
  });

  it("does not count a failure that tested nothing while closed", () => {
    const breaker = new Breaker(SETTINGS);
    breaker.failed(0, "a", false);
    breaker.released(false);
    breaker.failed(0, "b", false);
    expect(breaker.snapshot.state).toBe("closed");
  });

  it("restores an open breaker left by a previous bridge, half-open when its time has passed", () => {
    const open = new Breaker(SETTINGS);
    open.restore(10_000, 4_000, "left open");
    expect(open.admit(9_000)).toEqual({ allowed: false, retryInMs: 1_000 });
    expect(open.snapshot).toEqual({ state: "open", until: 10_000, openMs: 4_000, reason: "left open" });

    const past = new Breaker(SETTINGS);
    past.restore(10_000, 99_000, "left open");
    expect(past.admit(20_000)).toEqual({ allowed: true, probe: true });
    expect(past.failed(20_000, "still broken", true)).toMatchObject({ openMs: 5_000 });
  });
});
