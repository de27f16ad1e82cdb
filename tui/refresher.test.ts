import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Refresher } from "./refresher.js";

describe("Refresher", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("coalesces a burst of requests into one run", async () => {
    const job = vi.fn();
    const refresher = new Refresher(job, { minIntervalMs: 100 });
    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(job).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) refresher.request();
    await vi.advanceTimersByTimeAsync(99);
    expect(job).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(job).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(job).toHaveBeenCalledTimes(2);
  });

  it("never runs twice at once: requests during a run make exactly one more run after it", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const refresher = new Refresher(
      async () => {
        running++;
        runs++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 500));
        running--;
      },
      { minIntervalMs: 10 },
    );
    refresher.start();
    await vi.advanceTimersByTimeAsync(100);
    for (let i = 0; i < 5; i++) refresher.request();
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it("repeats on its period, counted from the end of the previous run", async () => {
    const starts: number[] = [];
    const refresher = new Refresher(
      async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 300));
      },
      { minIntervalMs: 0, periodMs: 1000 },
    );
    const t0 = Date.now();
    refresher.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(starts.map((t) => t - t0)).toEqual([0, 1300, 2600]);
    await refresher.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(starts).toHaveLength(3);
  });

  it("keeps going after a failed run and reports it", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const refresher = new Refresher(
      () => {
        calls++;
        if (calls === 1) throw new Error("boom");
      },
      { minIntervalMs: 0, periodMs: 100, onError: (e) => errors.push(e) },
    );
    refresher.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await refresher.stop();
  });

  it("does nothing when requested before start or after stop", async () => {
    const job = vi.fn();
    const refresher = new Refresher(job, { minIntervalMs: 0 });
    refresher.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(job).not.toHaveBeenCalled();
    refresher.start();
    await refresher.stop();
    refresher.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(job).not.toHaveBeenCalled();
  });
});
