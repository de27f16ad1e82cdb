import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, workflowFile } from "../workflows/support.js";
import { lineWith, TestTerminal } from "./terminal.js";

/**
 * The dashboard at the two sizes people use most: a default 80×24 terminal and
 * a 120×35 window. The real TUI in a real terminal against a real swarm of
 * eight sessions with tasks done and failed, a finished workflow and one
 * waiting for an approval; every check reads the captured screen.
 */
const YAML = `
agents:
  - { name: alpha, runtime: shell, replicas: 4, timeout: 60 }
  - { name: beta, runtime: shell, replicas: 2, timeout: 60 }
  - { name: gamma, runtime: shell, replicas: 1, timeout: 60 }
  - { name: delta, runtime: shell, replicas: 1, timeout: 60 }
default_agent: alpha
# The failing task stays out of the inbox: the approval is the one item these layouts show.
inbox: { failed_tasks: false }
`;
const SESSIONS = ["alpha-1", "alpha-2", "alpha-3", "alpha-4", "beta-1", "beta-2", "gamma-1", "delta-1"];
const AGENTS = ["alpha", "beta", "gamma", "delta"];

/** The title of the panel called `name`, read whole from its top border (`┌─ name · … ─`), or null. */
function titleOf(screen: string, name: string): string | null {
  const match = new RegExp(`┌─ (${name}(?: · [^─┐]*)?) ─`).exec(screen);
  return match ? match[1]! : null;
}

/** The lines inside the panel whose top border carries `name`, without the borders (one-column layout, or the panel's own columns). */
function panelLines(screen: string, name: string): string[] {
  const lines = screen.split("\n");
  const top = lines.findIndex((line) => line.includes(`┌─ ${name}`));
  if (top < 0) return [];
  const left = lines[top]!.lastIndexOf("┌", lines[top]!.indexOf(`┌─ ${name}`));
  const right = lines[top]!.indexOf("┐", left);
  const inside: string[] = [];
  for (const line of lines.slice(top + 1)) {
    if (line[left] === "└") break;
    inside.push(line.slice(left + 1, right).trimEnd());
  }
  while (inside.at(-1) === "") inside.pop();
  return inside;
}

/**
 * Every line but the status bar is exactly the terminal's width, with a border
 * character at each panel edge: no panel's text spilled over a border or past
 * the terminal, no title wrapped onto the line below.
 */
function expectFramesIntact(screen: string, cols: number, rows: number, edges: readonly [number, number][]): void {
  const lines = screen.split("\n").slice(0, rows - 1);
  expect(lines).toHaveLength(rows - 1);
  for (const [i, line] of lines.entries()) {
    expect([...line].length, `line ${i} is ${[...line].length} wide:\n${screen}`).toBe(cols);
    for (const [left, right] of edges) {
      expect("┌│└", `line ${i} column ${left}:\n${screen}`).toContain(line[left]);
      expect("┐│┘", `line ${i} column ${right}:\n${screen}`).toContain(line[right]);
    }
  }
  expect([...(screen.split("\n")[rows - 1] ?? "")].length).toBeLessThanOrEqual(cols);
}

describe("the dashboard at 80×24 and 120×35", () => {
  let swarm: TestSwarm;
  let term: TestTerminal;
  let approval = "";

  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    const run = async (content: object, wait: boolean) => {
      const result = await cli(swarm.home, ["workflow", "run", "--file", workflowFile(swarm.home, content), ...(wait ? ["--wait"] : [])]);
      expectExit(result, 0);
      return result.stdout.trim();
    };
    await run(
      {
        name: "build-and-check",
        steps: [
          { id: "build", agent: "beta", task: "echo built" },
          { id: "check", agent: "gamma", task: "echo checked", depends_on: ["build"] },
        ],
      },
      true,
    );
    approval = await run(
      {
        name: "ship",
        steps: [
          { id: "prepare", agent: "beta", task: "echo prepared" },
          { id: "ok", approval: "Ship release 7?", depends_on: ["prepare"] },
          { id: "deploy", agent: "delta", task: "echo deployed", depends_on: ["ok"] },
        ],
      },
      false,
    );
    const client = await swarm.connect();
    for (const [i, agent] of AGENTS.entries()) await (await client.submit({ task: `echo done-${i}`, agent })).result();
    await (await client.submit({ task: "echo broke-on-purpose; exit 3", agent: "gamma" })).result();
    term = TestTerminal.start({ width: 80, height: 24 });
    term.run(term.dashboardCommand(swarm.home));
  }, 90_000);

  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  it("at 80×24 shows the agents, the pane and one lower panel, every frame intact and every title whole", async () => {
    const screen = await term.waitFor((s) => /8 sessions \(8 idle\)/.test(s) && /task\.failed/.test(s) && /1 waiting for you/.test(s), {
      what: "the swarm, its events and the approval",
    });
    expectFramesIntact(screen, 80, 24, [[0, 79]]);
    // Six rows fit under the header: the title says two more are below.
    expect(titleOf(screen, "agents")).toBe("agents · 8 sessions · 0 busy · ↓ 2 more");
    const agentRows = panelLines(screen, "agents").slice(1);
    expect(agentRows.map((line) => line.split(/\s+/)[0])).toEqual(SESSIONS.slice(0, 6));
    for (const row of agentRows) expect(row).toMatch(/\sidle\s/);
    expect(titleOf(screen, "pane")).toMatch(/^pane · alpha-1 \(%\d+\)$/);
    expect(titleOf(screen, "events")).toBe("events · Tab: tasks");
    expect(panelLines(screen, "events").filter((line) => /^\d\d:\d\d:\d\d task\.(completed|failed)\s/.test(line)).length).toBeGreaterThanOrEqual(2);
    for (const name of ["queues", "throughput", "workflows", "tasks"]) expect(titleOf(screen, name)).toBeNull();

    // The selection at the bottom scrolls the list: the title says what is above.
    term.keys("G");
    const bottom = await term.waitFor((s) => titleOf(s, "agents") === "agents · 8 sessions · 0 busy · ↑ 2 more", { what: "the list scrolled down" });
    expect(panelLines(bottom, "agents").at(-1)).toMatch(/^delta-1\s/);
    term.keys("g");
  });

  it("at 80×24 switches the lower panel with Tab: tasks, queues, throughput, workflows, then events again", async () => {
    term.keys("Tab");
    const tasks = await term.waitFor((s) => panelLines(s, "tasks").some((line) => /\sfailed\s/.test(line)), { what: "the tasks view" });
    expectFramesIntact(tasks, 80, 24, [[0, 79]]);
    expect(titleOf(tasks, "tasks")).toBe("tasks · newest first · Tab: queues");
    const taskRows = panelLines(tasks, "tasks");
    expect(taskRows[0]).toMatch(/^ID\s+AGENT\s+STATUS\s+TIME\s+RESULT$/);
    // Newest first: the failing task, then the four that printed done-N; more than fit, said on the last line.
    expect(taskRows[1]).toMatch(/^\S+\s+gamma\s+failed\s+\S+ broke-on-purpose$/);
    expect(taskRows[2]).toMatch(/^\S+\s+delta\s+completed\s+\S+ done-3$/);
    expect(taskRows.at(-1)).toMatch(/^↓ \d+ more$/);
    expect(titleOf(tasks, "events")).toBeNull();

    term.keys("Tab");
    const queues = await term.waitFor((s) => titleOf(s, "queues") === "queues · Tab: throughput" && panelLines(s, "queues").length === 5, {
      what: "the queues",
    });
    expectFramesIntact(queues, 80, 24, [[0, 79]]);
    const queueRows = panelLines(queues, "queues");
    expect(queueRows[0]).toMatch(/^AGENT\s+WAITING\s+ACTIVE\s+DONE\s+FAILED$/);
    expect(queueRows.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(AGENTS);
    expect(lineWith(queues, "│gamma ")).toMatch(/gamma\s+0\s+0\s+2\s+1│/);

    term.keys("Tab");
    const chart = await term.waitFor((s) => (titleOf(s, "throughput") ?? "").endsWith("Tab: workflows"), { what: "the throughput chart" });
    expectFramesIntact(chart, 80, 24, [[0, 79]]);
    expect(titleOf(chart, "throughput")).toMatch(/^throughput · 60m \d+ done, 1 failed · now \d+\/min · Tab: workflows$/);
    const chartRows = panelLines(chart, "throughput");
    expect(chartRows.at(-1)).toMatch(/└─*.*now$/);
    expect(chartRows.slice(0, -1).every((line) => /^[\d ]+│/.test(line))).toBe(true);
    expect(chartRows.join("\n")).toMatch(/[▁▂▃▄▅▆▇█]/);

    term.keys("Tab");
    const workflows = await term.waitFor((s) => (titleOf(s, "workflows") ?? "").endsWith("Tab: events"), { what: "the workflows" });
    expectFramesIntact(workflows, 80, 24, [[0, 79]]);
    expect(titleOf(workflows, "workflows")).toBe("workflows · 1 running · 1 finished · Tab: events");
    const wfRows = panelLines(workflows, "workflows");
    expect(wfRows[0]).toBe(`ship running 1/3 ${approval}`);
    expect(wfRows.join("\n")).toMatch(/\? ok\s+waiting-approval/);
    expect(wfRows.at(-1)).toMatch(/^✓ build-and-check completed 2\/2 · \d+s ago \S+$/);

    term.keys("Tab");
    await term.waitFor((s) => titleOf(s, "events") === "events · Tab: tasks", { what: "events again" });
  });

  it("at 80×24 clears a filter with Esc, and answers the approval from the inbox; the finished workflow stays in its panel", async () => {
    term.keys("/");
    term.type("beta");
    term.keys("Enter");
    const filtered = await term.waitFor((s) => titleOf(s, "agents") === 'agents · 2 sessions · 0 busy · filter "beta"', { what: "the filter" });
    expect(
      panelLines(filtered, "agents")
        .slice(1)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(["beta-1", "beta-2"]);
    term.keys("Escape");
    await term.waitFor((s) => titleOf(s, "agents") === "agents · 8 sessions · 0 busy · ↓ 2 more", { what: "the filter cleared by Esc" });

    term.keys("i");
    const inbox = await term.waitFor(/ship\/ok: Ship release 7\?/, { what: "the inbox" });
    expect(inbox).toContain("a approve  d deny");
    term.keys("a");
    await term.waitFor(/answered i-/, { what: "the approval sent" });
    term.keys("Escape");
    term.keys("Tab", "Tab", "Tab", "Tab");
    const done = await term.waitFor((s) => (titleOf(s, "workflows") ?? "").startsWith("workflows · 2 finished"), { what: "both workflows finished" });
    expect(panelLines(done, "workflows")).toEqual([
      expect.stringMatching(new RegExp(`^✓ ship completed 3/3 · \\d+s ago ${approval}$`)),
      expect.stringMatching(/^✓ build-and-check completed 2\/2 · \d+s ago \S+$/),
    ]);
    term.keys("Tab");
  });

  it("at 120×35 shows every panel at once, every frame intact and every title whole; t shows the tasks in place of events", async () => {
    term.keys("q");
    await term.waitFor((s) => /^\$\s*$/m.test(s) && !s.includes("agents ·"), { what: "the shell prompt" });
    term.resize(120, 35);
    term.run(`clear; ${term.dashboardCommand(swarm.home)}`);
    const ready = (s: string) => /8 sessions \(8 idle\)/.test(s) && /task\.completed/.test(s) && /pane · alpha-1 \(%\d+\)/.test(s);
    const screen = await term.waitFor((s) => ready(s) && panelLines(s, "queues").length > 4, {
      what: "the dashboard at 120×35",
    });
    // Two columns: 72 for the agents and the pane, 48 for the rest.
    expectFramesIntact(screen, 120, 35, [
      [0, 71],
      [72, 119],
    ]);
    expect(titleOf(screen, "agents")).toBe("agents · 8 sessions · 0 busy");
    expect(
      panelLines(screen, "agents")
        .slice(1, 9)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(SESSIONS);
    expect(titleOf(screen, "pane")).toMatch(/^pane · alpha-1 \(%\d+\)$/);
    expect(titleOf(screen, "queues")).toBe("queues");
    expect(
      panelLines(screen, "queues")
        .slice(1)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(AGENTS);
    // 48 columns: the hour's totals stay in the title, this minute's rate gives way.
    expect(titleOf(screen, "throughput")).toMatch(/^throughput · 60m \d+ done, 1 failed$/);
    // Nothing of the title on the chart's lines: each starts with its axis.
    expect(
      panelLines(screen, "throughput")
        .slice(0, -1)
        .every((line) => /^[\d ]+│/.test(line)),
    ).toBe(true);
    expect(panelLines(screen, "throughput").at(-1)).toMatch(/└─*.*now$/);
    expect(titleOf(screen, "workflows")).toBe("workflows · 2 finished");
    expect(panelLines(screen, "workflows").slice(0, 2)).toEqual([
      // 46 columns inside: the ids, last, are cut to fit.
      expect.stringMatching(/^✓ ship completed 3\/3 · \S+ ago \S+$/),
      expect.stringMatching(/^✓ build-and-check completed 2\/2 · \S+ ago \S+…$/),
    ]);
    expect(titleOf(screen, "events")).toBe("events · t: tasks");
    expect(panelLines(screen, "events").filter((line) => /^\d\d:\d\d:\d\d task\./.test(line)).length).toBeGreaterThanOrEqual(5);
    expect(titleOf(screen, "tasks")).toBeNull();

    term.keys("t");
    const tasks = await term.waitFor((s) => panelLines(s, "tasks").some((line) => /\sfailed\s/.test(line)), { what: "the tasks view" });
    expectFramesIntact(tasks, 120, 35, [
      [0, 71],
      [72, 119],
    ]);
    expect(titleOf(tasks, "tasks")).toBe("tasks · newest first · t: events");
    expect(titleOf(tasks, "events")).toBeNull();
    const rows = panelLines(tasks, "tasks");
    // 46 columns inside: no AGENT column, the result cut to fit.
    expect(rows[0]).toMatch(/^ID\s+STATUS\s+TIME RESULT$/);
    expect(rows.find((line) => /^\S+ failed\s/.test(line))).toMatch(/^\S+ failed\s+\d+ms broke-on-pu\S*…$/);
    expect(rows.filter((line) => /^\S+ completed\s/.test(line)).length).toBeGreaterThanOrEqual(5);
    term.keys("t");
    await term.waitFor((s) => titleOf(s, "events") === "events · t: tasks", { what: "events again" });
  });
});
