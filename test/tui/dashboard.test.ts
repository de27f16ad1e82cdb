import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { lineWith, TestTerminal } from "./terminal.js";

/**
 * The dashboard, end to end: the real TUI in a real terminal (a tmux session
 * on a tmux server of the test's own), against a real swarm, driven with
 * send-keys and read back with capture-pane. The steps share one swarm and
 * one dashboard and run in order, as a person would use it.
 */
describe("claude-agent tui", () => {
  let swarm: TestSwarm;
  let term: TestTerminal;

  const row = (screen: string, session: string) => lineWith(screen, new RegExp(`│${session}\\s`));

  beforeAll(async () => {
    swarm = await startTestSwarm();
    term = TestTerminal.start({ width: 160, height: 48 });
    term.run(term.dashboardCommand(swarm.home));
  });

  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  it("lists every session with its state, the queues and the empty workflow panel", async () => {
    const screen = await term.waitFor((s) => ["alpha-1", "alpha-2", "beta-1"].every((name) => /idle/.test(row(s, name))) && /● redis \d/.test(s), {
      what: "three idle sessions",
    });
    expect(row(screen, "alpha-1")).toMatch(/alpha-1\s+shell\s+\S+\s+idle\s+-/);
    expect(screen).toContain("agents · 3 sessions · 0 busy");
    expect(lineWith(screen, "AGENT")).toMatch(/WAITING\s+ACTIVE\s+DONE\s+FAILED/);
    expect(screen).toContain("no workflows running");
    expect(screen).toMatch(/● redis [\d.]+ms │ ● supervisor │ 3 sessions \(3 idle\)/);
    expect(screen).toContain("agent.up");
    // States are coloured: idle is green.
    expect(lineWith(term.screen({ escapes: true }), "alpha-2")).toMatch(/\x1b\[32midle/);
  });

  it("submits a task to the selected agent, shows it running in the mirrored pane, then completed", async () => {
    term.keys("G");
    await term.waitFor(/pane · beta-1 \(%\d+\)/, { what: "the pane of beta-1" });
    term.keys("s");
    await term.waitFor(/submit a task to beta/);
    term.type("sleep 1.5; printf '\\033[31mred-%s\\033[0m\\n' $((6*7))");
    term.keys("Enter");
    const busy = await term.waitFor((s) => /busy\s+\S+ sleep 1\.5/.test(row(s, "beta-1")), { what: "beta-1 busy with the task" });
    expect(busy).toMatch(/submitted \S+ to beta/);
    // The mirror shows the pane's output with its colours.
    const mirrored = await term.waitFor(/\x1b\[31mred-42/, { escapes: true, what: "red-42 in red in the mirrored pane" });
    expect(mirrored).toBeTruthy();
    const done = await term.waitFor((s) => /idle\s+-.*\s1\/0\s/.test(row(s, "beta-1")), { what: "beta-1 idle with one task done" });
    expect(done).toMatch(/task\.completed\s+beta-1/);
    // BullMQ marks the job completed a moment after the result is recorded: the queue row follows.
    const queues = await term.waitFor((s) => /beta\s+0\s+0\s+1\s+0/.test(lineWith(s, "│beta ")), { what: "beta's queue row with one completed" });
    expect(lineWith(queues, "│beta ")).toMatch(/beta\s+0\s+0\s+1\s+0/);
  });

  it("updates the mirrored pane at least four times a second while it changes", async () => {
    term.keys("s");
    await term.waitFor(/submit a task to beta/);
    term.type("for i in $(seq 10 40); do echo tick-$i; sleep 0.1; done");
    term.keys("Enter");
    await term.waitFor(/tick-1\d/, { what: "the first ticks" });
    const seen = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < 2000) {
      const ticks = term.screen().match(/tick-\d+/g) ?? [];
      seen.add(ticks.at(-1) ?? "");
      await new Promise((r) => setTimeout(r, 40));
    }
    // 2 s at ≥ 4 updates per second is ≥ 8 distinct screens; leave room for a loaded machine.
    expect(seen.size).toBeGreaterThanOrEqual(6);
    await term.waitFor(/tick-40/);
  });

  it("attaches to the agent's session and comes back to an intact dashboard on detach", async () => {
    await term.waitFor((s) => /idle/.test(row(s, "beta-1")));
    term.keys("a");
    const attached = await term.waitFor(/\[beta-1\].*detach: C-b d/, { what: "the tmux status line of beta-1" });
    expect(attached).not.toContain("agents ·");
    term.keys("C-b", "d");
    const back = await term.waitFor(/back from beta-1/, { what: "the dashboard again" });
    for (const name of ["alpha-1", "alpha-2", "beta-1"]) expect(row(back, name)).toMatch(/idle/);
    expect(back).toContain("throughput");
    expect(back).toMatch(/pane · beta-1/);
  });

  it("cancels the running task, and retries the last failed one", async () => {
    term.keys("s");
    await term.waitFor(/submit a task to beta/);
    term.type("sleep 30");
    term.keys("Enter");
    await term.waitFor((s) => /busy/.test(row(s, "beta-1")), { what: "beta-1 busy" });
    term.keys("c");
    await term.waitFor(/task\.cancelled\s+beta-1/, { what: "the cancelled event" });

    term.keys("s");
    await term.waitFor(/submit a task to beta/);
    term.type("echo failing; exit 3");
    term.keys("Enter");
    const failed = await term.waitFor(/task\.failed\s+beta-1 (\S+)/, { what: "the failed task" });
    const failedId = /task\.failed\s+beta-1 (\S+)/.exec(failed)![1]!;
    term.keys("r");
    const retried = await term.waitFor(/retried \S+ as \S+ on beta/, { what: "the retry message" });
    expect(retried).toContain(`retried ${failedId} as`);
    const newId = /retried \S+ as (\S+) on beta/.exec(retried)![1]!;
    const client = await swarm.connect();
    const result = await client.result(newId, { wait: true });
    expect(result).toMatchObject({ status: "failed", exitCode: 3, output: "failing\n" });
  });

  it("restarts the selected session after a confirmation", async () => {
    term.keys("R");
    await term.waitFor(/restart beta-1\? .*\(y\/n\)/);
    term.keys("y");
    await term.waitFor(/killed beta-1; the bridge restarts it/);
    // The table and the mirrored pane refresh apart: the row can read idle a moment before the pane view finds the new pane.
    const restarted = await term.waitFor(
      (s) => /idle\s+-\s+\d+s\s+\S+\s+1$/.test((row(s, "beta-1").split("│")[1] ?? "").trimEnd()) && /pane · beta-1 \(%\d+\)/.test(s),
      { what: "beta-1 idle again with one restart, its new pane mirrored", timeoutMs: 15_000 },
    );
    expect(restarted).toMatch(/agent\.down\s+beta-1/);
    expect(restarted).toMatch(/pane · beta-1 \(%\d+\)/);
  });

  it("selects with the mouse, filters the agents, shows help, and re-lays everything on resize", async () => {
    // A click on the second row of the table: SGR mouse reports of the press, then the release,
    // apart as a hand makes them (blessed takes one report per read of its input).
    term.type("\x1b[<0;10;4M");
    await new Promise((r) => setTimeout(r, 150));
    term.type("\x1b[<0;10;4m");
    await term.waitFor(/pane · alpha-2 \(%\d+\)/, { what: "alpha-2 selected by the click" });
    term.keys("/");
    term.type("alpha");
    term.keys("Enter");
    const filtered = await term.waitFor(/agents · 2 sessions .* filter "alpha"/);
    expect(row(filtered, "beta-1")).toBe("");
    term.keys("/", "Escape");
    await term.waitFor(/agents · 3 sessions/);

    term.keys("?");
    const help = await term.waitFor(/─ keys ─/);
    expect(help).toMatch(/R\s+restart the session/);
    term.keys("x");
    await term.waitFor((s) => !s.includes("─ keys ─"));

    term.resize(90, 30);
    // The status bar's healthy signs (redis …) step aside at 90 columns while the last action's message is
    // shown (8 s): the restart test's "killed beta-1 …" may still be there, so the bar is waited for too.
    const narrow = await term.waitFor(
      (s) => s.split("\n")[0]!.trimEnd().length === 90 && /SESSION\s+RUNTIME\s+STATE/.test(s) && /redis/.test(s.split("\n").at(-2) ?? ""),
      { what: "the one-column layout, its status bar showing redis", timeoutMs: 15_000 },
    );
    // Below 100 columns the lower panels take turns: events first, its title naming the next.
    expect(narrow).toContain("─ events · Tab: tasks ─");
    term.resize(160, 48);
    const wide = await term.waitFor((s) => /SESSION\s+RUNTIME\s+HOST\s+STATE/.test(s) && s.split("\n")[0]!.trimEnd().length === 160, {
      what: "the two-column layout",
    });
    expect(lineWith(wide, "─ agents")).toContain("─ queues");
  });

  it("says so when the swarm goes away, and picks it up again when it is back", async () => {
    expect(swarm.cli(["down"]).exitCode).toBe(0);
    await term.waitFor(/The swarm is not running/, { timeoutMs: 15_000 });
    await swarm.start();
    const back = await term.waitFor((s) => !s.includes("The swarm is not running") && /idle/.test(row(s, "alpha-1")), {
      timeoutMs: 20_000,
      what: "the swarm again",
    });
    expect(back).toContain("agents · 3 sessions");
  });

  it("quits on q and gives the terminal back as it found it", async () => {
    term.keys("q");
    await term.waitFor((s) => /^\$\s*$/m.test(s) && !s.includes("agents ·"), { what: "the shell prompt" });
    expect(term.info("#{alternate_on} #{mouse_any_flag} #{cursor_flag}")).toBe("0 0 1");
    term.run("echo exit=$?; stty -a | grep -o -- ' -\\?icanon\\| -\\?echo ' | tr -d ' ' | tr '\\n' ,; echo");
    const screen = await term.waitFor(/exit=\d+\n.*icanon/);
    expect(screen).toContain("exit=0");
    expect(screen).toMatch(/^icanon,echo,$/m);
  });

  it("restores the terminal on SIGTERM too", async () => {
    term.run(`clear; ${term.dashboardCommand(swarm.home)}`);
    await term.waitFor(/agents · 3 sessions/);
    const pid = term.foregroundPid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, "SIGTERM");
    await term.waitFor((s) => /^\$\s*$/m.test(s) && !s.includes("agents ·"), { what: "the shell prompt" });
    expect(term.info("#{alternate_on} #{mouse_any_flag} #{cursor_flag}")).toBe("0 0 1");
    term.run("echo exit=$?");
    await term.waitFor(/exit=0/);
  });
});
