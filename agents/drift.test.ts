import { describe, expect, it } from "vitest";
import { DriftMonitor } from "./drift.js";

function monitor(threshold = 3, windowMs = 1000) {
  let now = 0;
  const drift = new DriftMonitor({ threshold, windowMs }, () => now);
  return { drift, advance: (ms: number) => (now += ms) };
}

describe("drift detection", () => {
  it("flags an agent once its unexplained states reach the threshold, and says which", () => {
    const { drift } = monitor();
    expect(drift.note("coder", "unclassified-screen", "a")).toMatchObject({ suspected: false, crossed: false });
    expect(drift.note("coder", "unconfirmed-prompt", "b")).toMatchObject({ suspected: false, crossed: false });
    expect(drift.note("coder", "unclassified-screen", "c")).toMatchObject({ suspected: true, crossed: true });
    expect(drift.suspected("coder")).toBe(
      "3 states the adapter could not explain (2× a screen the detector could not read, 1× a prompt the program never confirmed); auto-approval is off for this agent",
    );
  });

  it("crosses the threshold once: later signs keep the flag without a second alarm", () => {
    const { drift } = monitor(2);
    drift.note("coder", "turn-without-stop-hook", "a");
    expect(drift.note("coder", "turn-without-stop-hook", "b").crossed).toBe(true);
    expect(drift.note("coder", "turn-without-stop-hook", "c")).toMatchObject({ suspected: true, crossed: false });
  });

  it("forgets signs older than the window", () => {
    const { drift, advance } = monitor(2, 1000);
    drift.note("coder", "unclassified-screen", "a");
    advance(1001);
    expect(drift.note("coder", "unclassified-screen", "b")).toMatchObject({ suspected: false, recent: [expect.objectContaining({ detail: "b" })] });
  });

  it("counts each agent on its own, and starts anew when cleared", () => {
    const { drift } = monitor(2);
    drift.note("coder", "unclassified-screen", "a");
    drift.note("guard", "unclassified-screen", "a");
    expect(drift.suspected("coder")).toBeNull();
    drift.note("coder", "unclassified-screen", "b");
    expect(drift.suspected("coder")).not.toBeNull();
    expect(drift.suspected("guard")).toBeNull();
    drift.clear("coder");
    expect(drift.suspected("coder")).toBeNull();
    expect(drift.note("coder", "unclassified-screen", "c").suspected).toBe(false);
  });
});
