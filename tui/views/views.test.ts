import { describe, expect, it } from "vitest";
import type { SessionRow } from "../state.js";
import { createState } from "../state.js";
import { agentColumns, agentRow } from "./agents-view.js";
import { barChart } from "./chart.js";
import { statusLine } from "./status-bar.js";
import { escapeTags, fit, formatDuration, stripTags, textWidth } from "./text.js";
import { workflowLines, workflowTitle } from "./workflows-view.js";

const row: SessionRow = {
  name: "backend-api-1",
  agent: "backend-api",
  runtime: "shell",
  state: "busy",
  currentTask: "t-1",
  completed: 3,
  failed: 1,
  restarts: 2,
  startedAt: new Date(Date.now() - 125_000).toISOString(),
  heartbeatAt: null,
  host: "build-7",
};

describe("text helpers", () => {
  it("fits text to a width, with an ellipsis when cut", () => {
    expect(fit("abc", 5)).toBe("abc  ");
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(fit("7", 3, "right")).toBe("  7");
    expect(fit("a\nb", 3)).toBe("a b");
  });

  it("escapes and strips blessed tags", () => {
    expect(escapeTags("{red-fg}x{/}")).toBe("{open}red-fg{close}x{open}/{close}");
    expect(stripTags(`{bold}${escapeTags("{a}")}{/bold}`)).toBe("{a}");
  });

  it("shows durations that change at most once a minute after the first", () => {
    expect(formatDuration(42_000)).toBe("42s");
    expect(formatDuration(125_000)).toBe("2m");
    expect(formatDuration(3_725_000)).toBe("1h02m");
    expect(formatDuration(90_000_000)).toBe("1d1h");
    expect(formatDuration(-1)).toBe("-");
  });
});

describe("agents table", () => {
  it("fills exactly the table's width, with the state coloured", () => {
    const columns = agentColumns(100, row.name.length);
    const text = agentRow(row, columns, "make the tests pass", Date.now());
    expect(textWidth(stripTags(text))).toBe(100);
    expect(text).toContain("{yellow-fg}busy");
    expect(stripTags(text)).toMatch(/^backend-api-1 shell\s+build-7\s+busy\s+t-1 make the tests pass\s+2m\s+3\/1\s+2$/);
  });

  it("shows a session a person has taken over as taken-over, whatever its program is doing", () => {
    const columns = agentColumns(100, row.name.length);
    const taken = { ...row, agentState: "needs-input" as const, takenOver: { by: "web:ann", since: "2026-12-03T17:00:00.000Z" } };
    expect(agentRow(taken, columns, undefined, Date.now())).toContain("{magenta-fg}taken-over");
  });

  it("shows an interactive agent waiting for a person, and a parked agent, instead of busy/idle", () => {
    const columns = agentColumns(100, row.name.length);
    expect(agentRow({ ...row, agentState: "needs-input", needsInput: "Allow Bash?" }, columns, undefined, Date.now())).toContain("{magenta-fg}needs-input");
    expect(agentRow({ ...row, state: "idle", parkedUntil: new Date(Date.now() + 60_000).toISOString() }, columns, undefined, Date.now())).toContain(
      "{blue-fg}parked",
    );
    expect(agentRow({ ...row, state: "failed" }, columns, undefined, Date.now())).toContain("{red-fg}failed");
    const breaker = { state: "open" as const, until: new Date(Date.now() + 30_000).toISOString(), reason: "did not start" };
    expect(agentRow({ ...row, state: "idle", breaker }, columns, undefined, Date.now())).toContain("{red-fg}breaker");
    expect(agentRow({ ...row, state: "busy", breaker }, columns, undefined, Date.now())).toContain("{yellow-fg}busy");
  });

  it("shows how much of its budget an agent spent, and an agent paused at its budget", () => {
    const columns = agentColumns(100, row.name.length, true);
    expect(columns.map((c) => c.title)).toContain("BUDGET");
    const budget = { per: "day" as const, period: "2025-03-14", resetsAt: "", spent: { usd: 0.5, tokens: 900 }, limit: { tokens: 1000, usd: 2 }, once: 0 };
    const spending = agentRow({ ...row, state: "idle", budget: { ...budget, paused: false } }, columns, undefined, Date.now());
    expect(stripTags(spending)).toMatch(/\sidle\s.*\s90%\s/);
    expect(textWidth(stripTags(spending))).toBe(100);
    const paused = { ...budget, spent: { usd: 0.5, tokens: 1200 }, paused: true, item: "i-4kq9z2" };
    expect(agentRow({ ...row, state: "idle", budget: paused }, columns, undefined, Date.now())).toContain("{magenta-fg}budget");
    expect(stripTags(agentRow({ ...row, state: "idle", budget: paused }, columns, undefined, Date.now()))).toContain(" 120% ");
    expect(agentColumns(100, 8).map((c) => c.title)).not.toContain("BUDGET");
  });

  it("drops the host column on a narrow table", () => {
    expect(agentColumns(80, 8).map((c) => c.title)).not.toContain("HOST");
    expect(agentColumns(120, 8).map((c) => c.title)).toContain("HOST");
  });
});

describe("barChart", () => {
  it("draws right-aligned bars scaled to the highest value, with a time axis", () => {
    const lines = barChart([0, 2, 4, 8], 12, 4);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect([...line]).toHaveLength(12);
    expect(lines[0]).toBe("8│         █");
    expect(lines[2]).toBe("0│       ▆██");
    expect(lines[3]).toContain("now");
  });

  it("fills exactly its box at every size, so that nothing is drawn over the panel's border", () => {
    const values = Array.from({ length: 60 }, (_, i) => (i * 37) % 120);
    for (let width = 1; width <= 50; width++) {
      for (let height = 1; height <= 8; height++) {
        const lines = barChart(values, width, height);
        expect(lines).toHaveLength(height);
        for (const line of lines) expect([...line]).toHaveLength(width);
      }
    }
  });

  it("never draws a non-zero value as empty", () => {
    expect(barChart([1, 100], 6, 2)[0]).toMatch(/▁█/);
  });
});

describe("workflow panel", () => {
  it("says when nothing runs", () => {
    expect(stripTags(workflowLines(null, 40)[0]!)).toBe("no workflows running");
    expect(stripTags(workflowLines([], 40)[0]!)).toBe("no workflows running");
  });

  it("lists each running execution and its steps", () => {
    const lines = workflowLines(
      [
        {
          id: "wf-1",
          workflow: "deploy",
          status: "running",
          steps: [
            { id: "build", status: "completed", agent: "backend" },
            { id: "test", status: "running", agent: "qa" },
            { id: "ship", status: "pending", agent: null },
          ],
          finishedAt: null,
        },
      ],
      40,
    ).map(stripTags);
    expect(lines[0]).toBe("deploy running 1/3 wf-1");
    expect(lines[1]).toMatch(/✓ build\s+completed backend/);
    expect(lines[2]).toMatch(/▶ test\s+running qa/);
    expect(lines[3]).toMatch(/· ship\s+pending$/);
  });

  it("keeps a finished execution on one line, marked with how it ended and how long ago, after the running ones", () => {
    const now = Date.parse("2030-01-01T12:00:00Z");
    const steps = [{ id: "build", status: "completed", agent: "backend" }];
    const lines = workflowLines(
      [
        { id: "wf-2", workflow: "release", status: "failed", steps, finishedAt: "2030-01-01T11:58:00Z" },
        { id: "wf-1", workflow: "deploy", status: "running", steps, finishedAt: null },
      ],
      60,
      now,
    ).map(stripTags);
    expect(lines).toEqual(["deploy running 1/1 wf-1", expect.stringMatching(/✓ build\s+completed backend/), "✗ release failed 1/1 · 2m ago wf-2"]);
    // On a narrow panel the id, last, is cut first.
    const narrow = workflowLines(
      [{ id: "mx6k4r8b-j9qvjm", workflow: "build-and-check", status: "completed", steps, finishedAt: "2030-01-01T11:59:55Z" }],
      46,
      now,
    );
    expect(narrow.map(stripTags)).toEqual(["✓ build-and-check completed 1/1 · 5s ago mx6k…"]);
    // On a short panel a running execution lists only its live steps, so the finished one stays in sight.
    const running = {
      id: "wf-3",
      workflow: "ship",
      status: "running",
      finishedAt: null,
      steps: [...steps, { id: "ok", status: "waiting-approval", agent: null }, { id: "go", status: "pending", agent: null }],
    };
    const short = workflowLines([running, { id: "wf-2", workflow: "release", status: "failed", steps, finishedAt: "2030-01-01T11:58:00Z" }], 60, now, 3).map(
      stripTags,
    );
    expect(short).toEqual(["ship running 1/3 wf-3", expect.stringMatching(/\? ok\s+waiting-approval$/), "✗ release failed 1/1 · 2m ago wf-2"]);
    expect(workflowTitle([{ id: "wf-2", workflow: "release", status: "completed", steps, finishedAt: "2030-01-01T11:58:00Z" }])).toEqual([
      "workflows",
      "1 finished",
    ]);
  });
});

describe("status bar", () => {
  it("shows Redis health, session counts, the last message and key hints in one line", () => {
    const state = createState("/home");
    state.link = { status: "up", detail: "" };
    state.redis = { ok: true, latencyMs: 0.4, error: null };
    state.snapshot = { agents: [], sessions: [{ ...row, state: "idle" }, row], daemon: { pid: 1, startedAt: null, heartbeatAt: null, alive: true } };
    state.message = { text: "submitted t-9 to qa", level: "info", at: Date.now() };
    const line = stripTags(statusLine(state, 150, "q quit", Date.now()));
    expect(line).toMatch(/^ ● redis 1ms │ ● supervisor │ 2 sessions \(1 idle, 1 busy\) │ submitted t-9 to qa\s+q quit$/);
    expect(textWidth(line)).toBe(149);
  });

  it("says so while the swarm is away", () => {
    const line = stripTags(statusLine(createState("/home"), 80, "", Date.now()));
    expect(line).toContain("redis down");
    expect(line).toContain("waiting for the swarm");
  });
});

describe("plain status (status --watch)", () => {
  it("prints the sessions and queues without colour, fitted to the width", async () => {
    const { plainStatus } = await import("./plain-status.js");
    const queue = { agent: "backend-api", waiting: 2, active: 1, completed: 3, failed: 1, delayed: 0 };
    const lines = plainStatus(
      {
        status: {
          agents: [{ name: "backend-api", runtime: "shell", replicas: 1, sessions: [row], queue }],
          sessions: [row],
          daemon: { pid: 42, startedAt: null, heartbeatAt: null, alive: true },
        },
        taskTexts: new Map([["t-1", "make the tests pass"]]),
        workflows: [],
        redisMs: 0.42,
      },
      70,
      Date.now(),
    );
    expect(lines[0]).toBe("redis ok 0.4ms · supervisor up (pid 42) · 1 session, 1 busy");
    expect(lines.find((l) => l.startsWith("backend-api-1"))).toMatch(/^backend-api-1 shell\s+busy\s+t-1 make the …\s+2m\s+3\/1\s+2$/);
    expect(lines.find((l) => l.startsWith("backend-api "))).toMatch(/backend-api\s+2\s+1\s+3\s+1$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(70);
    for (const line of lines) expect(line).not.toMatch(/[{}\x1b]/);
  });
});
