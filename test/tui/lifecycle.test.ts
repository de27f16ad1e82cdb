import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { commandArgs, TestTerminal } from "./terminal.js";

const restored = (term: TestTerminal) => term.info("#{alternate_on} #{mouse_any_flag} #{cursor_flag}");

describe("the dashboard without a swarm", () => {
  let term: TestTerminal;
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "ca-"));
    mkdirSync(join(home, "logs"));
  });
  afterEach(() => term?.close());
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("says the swarm is not running and waits for it; q still quits", async () => {
    term = TestTerminal.start({ width: 120, height: 36 });
    term.run(term.dashboardCommand(home));
    const screen = await term.waitFor(/The swarm is not running/);
    expect(screen).toContain(`home: ${home}`);
    expect(screen).toMatch(/waiting for the swarm/);
    term.keys("q");
    await term.waitFor((s) => !s.includes("The swarm is not running"));
    expect(restored(term)).toBe("0 0 1");
  });

  it("keeps library output off the screen, and restores the terminal after a crash", async () => {
    term = TestTerminal.start({ width: 120, height: 36 });
    // A stand-in for a misbehaving library: once the dashboard runs, it prints, then throws from a timer.
    const fault = join(term.dir, "fault.mjs");
    writeFileSync(
      fault,
      [
        "const original = console.error;",
        "const poll = setInterval(() => {",
        "  if (console.error === original) return;",
        "  clearInterval(poll);",
        '  setTimeout(() => console.error("noise-from-a-library"), 500);',
        '  setTimeout(() => { throw new Error("boom-in-the-dashboard"); }, 2500);',
        "}, 50);",
        "",
      ].join("\n"),
    );
    term.run(term.dashboardCommand(home, ["--import", fault]));
    await term.waitFor(/The swarm is not running/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(term.screen()).not.toContain("noise-from-a-library");
    const after = await term.waitFor(/boom-in-the-dashboard/, { what: "the error, printed after the terminal came back" });
    expect(after).not.toContain("The swarm is not running");
    expect(after).not.toContain("noise-from-a-library");
    expect(restored(term)).toBe("0 0 1");
    term.run("echo exit=$?");
    await term.waitFor(/exit=[1-9]/);
    const log = readFileSync(join(home, "logs", "tui.log"), "utf8");
    expect(log).toContain("noise-from-a-library");
    expect(log).toContain("boom-in-the-dashboard");
  });
});

describe("claude-agent status --watch", () => {
  let swarm: TestSwarm;
  let dir: string;

  beforeAll(async () => {
    swarm = await startTestSwarm();
    dir = mkdtempSync(join(tmpdir(), "tw-"));
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints a block when something changed, into a pipe, until SIGINT", async () => {
    const child = spawn(process.execPath, commandArgs("watch", swarm.home, dir, "0.3"), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const until = async (test: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => out.includes("beta-1"));
    const client = await swarm.connect();
    const task = await client.submit({ task: "sleep 0.8", agent: "beta" });
    await until(() => /beta-1\s+shell\s+\S+\s+busy/.test(out));
    await task.result();
    await until(() => out.split(/^--- /m).length > 3);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const blocks = out.split(/^--- \S+ ---$/m).filter(Boolean);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks[0]).toMatch(/redis ok [\d.]+ms · supervisor up \(pid \d+\) · 3 sessions, 0 busy/);
    expect(blocks[0]).toMatch(/alpha-1\s+shell\s+\S+\s+idle/);
    expect(blocks[0]).toMatch(/AGENT\s+WAITING\s+ACTIVE\s+DONE\s+FAILED/);
    expect(out).toMatch(new RegExp(`beta-1\\s+shell\\s+\\S+\\s+busy\\s+${task.id} sleep 0\\.8`));
    // A block is printed only when something changed, not every 0.3 s.
    expect(blocks.length).toBeLessThan(12);
    expect(out).not.toContain("\x1b");
  });

  it("redraws in place on a terminal, fits a narrow one, and stops on Ctrl-C", async () => {
    const term = TestTerminal.start({ width: 64, height: 24 });
    try {
      term.run(["node", ...commandArgs("watch", swarm.home, term.dir, "0.3")].join(" "));
      const screen = await term.waitFor(/beta-1/);
      expect(screen).toMatch(/status --watch/);
      expect(screen).toMatch(/alpha-2\s+shell\s+idle/);
      term.keys("C-c");
      term.run("echo exit=$?");
      await term.waitFor(/exit=0/);
    } finally {
      term.close();
    }
  });
});
