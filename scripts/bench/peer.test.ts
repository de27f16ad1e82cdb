/** The peer-style dispatcher of the bench, on a real tmux server: it must type, wait for the quiet screen and report what it shows. */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Cleanups } from "./cleanup.js";
import { lastOutputLine, PeerPanes } from "./peer.js";

// Short rounds keep the test quick; the bench uses the tools' own timings.
const FAST = { tool: "test", enterDelayMs: 10, pollMs: 20, quietMs: 60 };

describe("PeerPanes", () => {
  // One per test: runAll runs the steps registered so far, once.
  let cleanups = new Cleanups();
  afterEach(async () => {
    await cleanups.runAll();
    cleanups = new Cleanups();
  });

  it("types a task, waits for the quiet screen and shows its output above the next prompt", async () => {
    const panes = await PeerPanes.start(2, FAST, cleanups);
    const seen: string[] = [];
    const show = (screen: string): boolean => {
      seen.push(lastOutputLine(screen) ?? "");
      return true;
    };
    await Promise.all([panes.dispatch(0, "echo 'a;b' $((1+2))", show), panes.dispatch(1, "printf '%s\\n' one two", show)]);
    expect(seen.sort()).toEqual(["a;b 3", "two"]);
    await panes.dispatch(0, "echo 'a;b' $((1+2))", show); // the same command again: the numbered prompt tells the screens apart
    expect(seen.at(-1)).toBe("a;b 3");
    expect((await panes.pids()).length).toBe(3); // the server and two shells
  }, 20_000);

  it("rejects a task whose final screen the check refuses, and the pane takes the next one", async () => {
    const panes = await PeerPanes.start(1, FAST, cleanups);
    await expect(panes.dispatch(0, "echo y", (screen) => lastOutputLine(screen) === "x")).rejects.toThrow(/ended with/);
    await panes.dispatch(0, "echo x", (screen) => lastOutputLine(screen) === "x");
  }, 20_000);

  it("stops once, ending its tmux server; a task still waiting is rejected", async () => {
    const panes = await PeerPanes.start(1, FAST, cleanups);
    const [server] = await panes.pids();
    // A screen that keeps changing is never quiet (a silent `sleep` would be "done" at once: the method cannot tell).
    const waiting = panes.dispatch(0, "for i in $(seq 3000); do echo $i; sleep 0.01; done");
    await new Promise((r) => setTimeout(r, 100));
    await panes.stop();
    await panes.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
    for (let i = 0; i < 100 && existsSync(`/proc/${server}`); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(`/proc/${server}`)).toBe(false);
  }, 20_000);
});
