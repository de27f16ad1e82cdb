/** The web bench's verdicts and its one piece of logic: a run without Chromium says so, and the page has caught up only once it has the stream's newest event. */
import { describe, expect, it } from "vitest";
import { summarize } from "./stats.js";
import type { WebFigures } from "./web.js";
import { streamIdAtLeast } from "./web.js";
import { webTargetRows } from "./web-report.js";

const load = { fcp: summarize([300, 320]), rows: summarize([500]), live: summarize([600]), ready: summarize([600]) };
const figures = (longTasks: number[], drawnMs: number): WebFigures => ({
  agents: 64,
  chromium: "test",
  cold: { rowsAt: 1, liveAt: 1, fcp: 1, transferred: 1 },
  firstVisit: load,
  reload: load,
  firstLoad: { gzip: 21_000, laterGzip: 88_000, wire: 70_000 },
  burst: {
    tasks: 1000,
    seconds: 10,
    events: 4000,
    behindMs: 120,
    longTasks: longTasks.length,
    longestMs: Math.max(0, ...longTasks),
    idleS: 10,
    idleLongTasks: 0,
    rendererCpuPct: 12,
    trace: { tasks: 900, longWall: longTasks.length, longCpu: 0, maxCpuMs: 20 },
  },
  terminal: { session: "a0-1", socket: summarize([5]), drawn: summarize([drawnMs]), reportMs: 0.5 },
});

describe("the web bench's rows of the targets table", () => {
  it("says the web figures were not measured, and why, when Chromium is missing", () => {
    const rows = webTargetRows({ skipped: "/usr/bin/chromium is not installed" });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("not measured: /usr/bin/chromium is not installed");
  });

  it("meets the responsiveness target only when the burst had no long task", () => {
    const burstRow = (web: WebFigures) => webTargetRows(web).find((row) => row.includes("burst"))!;
    expect(burstRow(figures([], 10))).toMatch(
      /400 events\/s; 0 long tasks, 0 in 10 s of the page idle before; the page's renderer 12\.00 % of a core, at most 20\.00 ms of CPU in one task .*\| met \|$/,
    );
    expect(burstRow(figures([52, 75], 10))).toMatch(/2 long tasks \(longest 75\.00 ms\).*\*\*not met\*\* \|$/);
  });

  it("judges the terminal by its p50 drawn in the browser against 30 ms", () => {
    const terminalRow = (web: WebFigures) => webTargetRows(web).find((row) => row.includes("Web terminal"))!;
    expect(terminalRow(figures([], 30))).toMatch(/\| met \|$/);
    expect(terminalRow(figures([], 30.5))).toMatch(/\*\*not met\*\* \|$/);
  });
});

describe("streamIdAtLeast", () => {
  it("orders stream ids by their time, then their sequence, as numbers rather than text", () => {
    expect(streamIdAtLeast("1700000000000-0", "1700000000000-0")).toBe(true);
    expect(streamIdAtLeast("1700000000000-10", "1700000000000-9")).toBe(true);
    expect(streamIdAtLeast("1700000000000-9", "1700000000000-10")).toBe(false);
    expect(streamIdAtLeast("1700000000001-0", "1700000000000-99")).toBe(true);
    expect(streamIdAtLeast("", "1700000000000-0")).toBe(false);
  });
});
