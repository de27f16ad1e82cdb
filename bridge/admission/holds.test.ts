import { afterEach, describe, expect, it } from "vitest";
import { Holds, type HoldScope, type Valve } from "./holds.js";

/** A valve that records what it was told, in order (the real one pauses and resumes a BullMQ worker). */
class RecordingValve implements Valve {
  readonly calls: string[] = [];
  async close(scope: HoldScope): Promise<void> {
    this.calls.push(`close ${scope.agent}`);
  }
  async open(scope: HoldScope): Promise<void> {
    this.calls.push(`open ${scope.agent}`);
  }
}

const alpha = { agent: "alpha" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("holds on an agent's queue", () => {
  let holds: Holds;
  afterEach(() => holds?.close());

  it("closes the valve once for several reasons and opens it only when the last one ends", async () => {
    const valve = new RecordingValve();
    holds = new Holds({ valve, log: () => undefined });
    expect(await holds.hold(alpha, "breaker-open", Date.now() + 60_000)).toBe(true);
    expect(await holds.hold(alpha, "crash-loop", null)).toBe(true);
    expect(valve.calls).toEqual(["close alpha"]);
    await holds.release(alpha, "breaker-open");
    expect(valve.calls).toEqual(["close alpha"]);
    expect(holds.reasons(alpha)).toEqual(["crash-loop"]);
    await holds.release(alpha, "crash-loop");
    expect(valve.calls).toEqual(["close alpha", "open alpha"]);
    expect(holds.reasons(alpha)).toEqual([]);
  });

  it("ends a timed hold at its time, telling the reason's owner before the queue opens", async () => {
    const valve = new RecordingValve();
    holds = new Holds({ valve, log: () => undefined });
    holds.whenReleased("parked", async (scope) => void valve.calls.push(`resumed ${scope.agent}`));
    await holds.hold(alpha, "parked", Date.now() + 30);
    await sleep(80);
    expect(valve.calls).toEqual(["close alpha", "resumed alpha", "open alpha"]);
  });

  it("extends a hold to a later time but never shortens it, and ignores a time already past", async () => {
    holds = new Holds({ valve: new RecordingValve(), log: () => undefined });
    const later = Date.now() + 60_000;
    expect(await holds.hold(alpha, "parked", later)).toBe(true);
    expect(await holds.hold(alpha, "parked", later - 1_000)).toBe(false);
    expect(await holds.hold(alpha, "parked", later + 1_000)).toBe(true);
    expect(await holds.hold({ agent: "beta" }, "parked", Date.now() - 1)).toBe(false);
    expect(holds.reasons({ agent: "beta" })).toEqual([]);
  });

  it("keeps a taken job waiting while the agent is parked, but not for a breaker or a crash loop", async () => {
    holds = new Holds({ valve: new RecordingValve(), log: () => undefined });
    await holds.hold(alpha, "breaker-open", Date.now() + 60_000);
    await holds.hold(alpha, "crash-loop", null);
    await expect(holds.wait(alpha)).resolves.toBeUndefined();

    await holds.hold(alpha, "parked", null);
    let woken = false;
    const waiting = holds.wait(alpha).then(() => (woken = true));
    await holds.release(alpha, "breaker-open");
    await sleep(5);
    expect(woken).toBe(false);
    await holds.release(alpha, "parked");
    await waiting;
    expect(woken).toBe(true);
    expect(holds.reasons(alpha)).toEqual(["crash-loop"]);
  });

  it("lets a waiting job go when its signal aborts", async () => {
    holds = new Holds({ valve: new RecordingValve(), log: () => undefined });
    await holds.hold(alpha, "parked", null);
    const controller = new AbortController();
    const waiting = holds.wait(alpha, controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
  });

  it("does not open the queue when a new reason came while the last one's owner was told", async () => {
    const valve = new RecordingValve();
    holds = new Holds({ valve, log: () => undefined });
    holds.whenReleased("breaker-open", async (scope) => void (await holds.hold(scope, "parked", null)));
    await holds.hold(alpha, "breaker-open", null);
    await holds.release(alpha, "breaker-open");
    expect(valve.calls).toEqual(["close alpha", "close alpha"]);
    expect(holds.reasons(alpha)).toEqual(["parked"]);
  });
});
