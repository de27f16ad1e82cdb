import { describe, expect, it } from "vitest";
import { createState } from "../state.js";
import { statusLine } from "./status-bar.js";
import { stripTags, textWidth } from "./text.js";

describe("the status bar's inbox count", () => {
  it("says how many items wait for a person, and nothing when none does", () => {
    const state = createState("/home");
    expect(stripTags(statusLine(state, 150, "", Date.now()))).not.toContain("waiting for you");
    state.inboxOpen = 3;
    expect(stripTags(statusLine(state, 150, "", Date.now()))).toContain("3 waiting for you (i)");
  });

  it("keeps the last action's message whole at 80 columns beside the inbox count, shortening or setting aside the healthy signs", () => {
    const state = createState("/home");
    state.link = { status: "up", detail: "" };
    state.redis = { ok: true, latencyMs: 0.4, error: null };
    const session = {
      name: "api-1",
      agent: "api",
      host: "h",
      state: "idle" as const,
      currentTask: null,
      completed: 0,
      failed: 0,
      restarts: 0,
      startedAt: null,
      heartbeatAt: null,
    };
    state.snapshot = {
      agents: [],
      sessions: [session, { ...session, name: "api-2", state: "busy" }, { ...session, name: "api-3", state: "down" }],
      daemon: { pid: 1, startedAt: null, heartbeatAt: null, alive: true },
    };
    state.inboxOpen = 2;
    state.message = { text: "started api-2", level: "info", at: Date.now() };
    const line = stripTags(statusLine(state, 80, "q quit  ? help", Date.now()));
    expect(line).toMatch(/^ ● redis │ ● supervisor │ 3 sessions │ 2 waiting \(i\) │ started api-2\s*$/);
    expect(line).not.toContain("…");
    expect(textWidth(line)).toBeLessThanOrEqual(80);
    // Wide enough for everything: nothing is shortened.
    expect(stripTags(statusLine(state, 150, "", Date.now()))).toContain("3 sessions (1 idle, 1 busy, 1 down) │ 2 waiting for you (i) │ started api-2");
    // A retry's message (two task ids and the agent) is whole: the healthy signs and the count step aside for it.
    state.message = { text: "retried mi8x2k3l-a1b2c3 as mi8x2k9p-d4e5f6 on testing", level: "info", at: Date.now() };
    const retried = stripTags(statusLine(state, 80, "q quit  ? help", Date.now()));
    expect(retried).toMatch(/^ 2 waiting \(i\) │ retried mi8x2k3l-a1b2c3 as mi8x2k9p-d4e5f6 on testing\s*$/);
    // A problem stays, whatever the message, which is then cut at its end.
    state.snapshot = { ...state.snapshot, daemon: { ...state.snapshot.daemon, alive: false } };
    const down = stripTags(statusLine(state, 80, "", Date.now()));
    expect(down).toMatch(/^ ● supervisor down │ 2 waiting \(i\) │ retried mi8x2k3l-a1b2c3 as .*…\s*$/);
    expect(textWidth(down)).toBeLessThanOrEqual(80);
  });
});
