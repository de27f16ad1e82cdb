import { describe, expect, it } from "vitest";
import { Dedup, RateLimit } from "./gates.js";

describe("Dedup: the same event about the same subject once per window", () => {
  it("admits the first, refuses repeats inside the window, admits again after it", () => {
    const dedup = new Dedup(60_000);
    expect(dedup.admit("agent.breaker-open\0alpha", 0)).toBe(true);
    expect(dedup.admit("agent.breaker-open\0alpha", 59_999)).toBe(false);
    expect(dedup.admit("agent.breaker-open\0alpha", 60_000)).toBe(true);
    expect(dedup.admit("agent.breaker-open\0alpha", 60_001)).toBe(false);
  });

  it("keeps subjects and event types apart", () => {
    const dedup = new Dedup(60_000);
    expect(dedup.admit("agent.breaker-open\0alpha", 0)).toBe(true);
    expect(dedup.admit("agent.breaker-open\0beta", 1)).toBe(true);
    expect(dedup.admit("agent.parked\0alpha", 2)).toBe(true);
  });

  it("a repeat inside the window does not extend it", () => {
    const dedup = new Dedup(60_000);
    dedup.admit("k", 0);
    dedup.admit("k", 50_000);
    expect(dedup.admit("k", 60_000)).toBe(true);
  });
});

describe("RateLimit: at most N in any minute, the rest counted", () => {
  it("lets N through, holds back the rest, and counts them once", () => {
    const rate = new RateLimit(3);
    expect([0, 1, 2, 3, 4].map((t) => rate.take(t))).toEqual([true, true, true, false, false]);
    expect(rate.drainHeld()).toBe(2);
    expect(rate.drainHeld()).toBe(0);
  });

  it("is a sliding window: a slot frees a minute after it was used", () => {
    const rate = new RateLimit(2);
    expect(rate.take(0)).toBe(true);
    expect(rate.take(30_000)).toBe(true);
    expect(rate.take(59_999)).toBe(false);
    expect(rate.take(60_000)).toBe(true);
    expect(rate.take(60_001)).toBe(false);
    expect(rate.take(90_000)).toBe(true);
    expect(rate.drainHeld()).toBe(2);
  });
});
