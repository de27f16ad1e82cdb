import { describe, expect, it } from "vitest";
import type { DesktopTarget } from "../../core/index.js";
import { testMessage, type NotifyMessage } from "./message.js";
import type { Sender } from "./sender.js";
import { TargetQueue } from "./target-queue.js";

const target: DesktopTarget = { type: "desktop", name: "t", events: ["task.failed"], ratePerMinute: 2 };
const policy = { attempts: 1, backoffMs: 1, timeoutMs: 60_000 };

/** A sender whose deliveries finish only when the test says so (or the queue aborts them). */
function heldSender() {
  const sent: NotifyMessage[] = [];
  const releases: (() => void)[] = [];
  const sender: Sender = {
    target,
    where: "test",
    send: (message, signal) =>
      new Promise<void>((resolve, reject) => {
        sent.push(message);
        releases.push(resolve);
        signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
  };
  return { sender, sent, release: () => releases.shift()?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("TargetQueue: one target's deliveries, never the caller's wait", () => {
  it("returns from offer at once while the receiver hangs, and delivers in order", async () => {
    const { sender, sent, release } = heldSender();
    const logs: string[] = [];
    let now = 0;
    const queue = new TargetQueue(sender, { policy, log: (event) => logs.push(event), now: () => now });
    queue.offer(testMessage("s", "a"));
    queue.offer(testMessage("s", "b"));
    await tick();
    expect(sent.map((m) => m.subject)).toEqual(["a"]);
    release();
    await tick();
    expect(sent.map((m) => m.subject)).toEqual(["a", "b"]);
    release();
    await tick();
    expect(logs).toEqual(["notify.sent", "notify.sent"]);
    now += 1;
    await queue.close(0);
  });

  it("holds back what exceeds the rate and reports the count with the next delivery", async () => {
    const { sender, sent, release } = heldSender();
    const logs: string[] = [];
    let now = 0;
    const queue = new TargetQueue(sender, { policy, log: (event) => logs.push(event), now: () => now });
    for (const subject of ["a", "b", "c", "d"]) queue.offer(testMessage("s", subject));
    expect(logs).toEqual(["notify.suppressed", "notify.suppressed"]);
    now = 60_000;
    queue.offer(testMessage("s", "e"));
    for (let i = 0; i < 3; i++) {
      release();
      await tick();
    }
    expect(sent.map((m) => [m.subject, m.suppressed ?? 0])).toEqual([
      ["a", 0],
      ["b", 0],
      ["e", 2],
    ]);
    expect(sent[2]?.text).toContain("(and 2 more held back by the rate limit)");
    await queue.close(0);
  });

  it("drops the newest when its queue is full, and counts those too", async () => {
    const { sender, sent, release } = heldSender();
    let now = 0;
    const queue = new TargetQueue({ ...sender, target: { ...target, ratePerMinute: 100 } }, { policy, log: () => undefined, now: () => now++, capacity: 2 });
    for (const subject of ["a", "b", "c", "d", "e"]) queue.offer(testMessage("s", subject));
    // "a" is being sent, "b" and "c" wait: "d" and "e" find the queue full.
    await tick();
    release();
    await tick();
    release();
    await tick();
    queue.offer(testMessage("s", "f"));
    release();
    await tick();
    release();
    await tick();
    expect(sent.map((m) => [m.subject, m.suppressed ?? 0])).toEqual([
      ["a", 0],
      ["b", 0],
      ["c", 0],
      ["f", 2],
    ]);
    await queue.close(0);
  });

  it("at close, gives up on a hanging delivery after the grace period and logs what was abandoned", async () => {
    const { sender } = heldSender();
    const logs: { event: string; data?: Record<string, unknown> }[] = [];
    const queue = new TargetQueue(sender, { policy, log: (event, data) => logs.push({ event, data }), now: () => 0 });
    queue.offer(testMessage("s", "a"));
    queue.offer(testMessage("s", "b"));
    await queue.close(10);
    await queue.close(10);
    expect(logs.map((l) => l.event)).toEqual(["notify.failed", "notify.abandoned"]);
    expect(logs[1]?.data).toMatchObject({ subject: "b", queued: 1 });
    queue.offer(testMessage("s", "c"));
    expect(logs).toHaveLength(2);
  });
});
