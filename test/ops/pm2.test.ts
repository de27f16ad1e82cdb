import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homePaths } from "../../core/index.js";
import { connect } from "../../client/index.js";
import { runCli } from "../helpers/swarm.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PM2 = join(ROOT, "node_modules/pm2/bin/pm2");

describe("running under pm2 (ecosystem.config.js)", () => {
  const base = mkdtempSync(join(tmpdir(), "ca-"));
  const home = join(base, "h");
  const env = {
    ...process.env,
    PM2_HOME: join(base, "pm2"),
    CLAUDE_AGENT_HOME: home,
    CLAUDE_AGENT_CONFIG: join(base, "swarm.yaml"),
  };
  const pm2 = (...args: string[]) => spawnSync(process.execPath, [PM2, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  const panePids = () =>
    execFileSync("tmux", ["-S", homePaths(home).tmuxSocket, "list-panes", "-a", "-F", "#{session_name} #{pane_pid}"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.startsWith("alpha"))
      .sort();

  beforeAll(() => {
    writeFileSync(env.CLAUDE_AGENT_CONFIG, "agents:\n  - name: alpha\n    runtime: shell\n    replicas: 1\n    timeout: 60\n");
    const started = pm2("start", "ecosystem.config.js");
    expect(started.status, started.stderr + started.stdout).toBe(0);
  });

  afterAll(() => {
    pm2("kill");
    runCli(["down"], { home });
    rmSync(base, { recursive: true, force: true });
  });

  it("starts the swarm, which takes work once pm2 reports it online (wait_ready)", async () => {
    const swarm = await connect({ home });
    try {
      const result = await (await swarm.submit({ task: "echo from-pm2", agent: "alpha" })).result();
      expect(result).toMatchObject({ status: "completed", output: "from-pm2\n" });
    } finally {
      await swarm.close();
    }
  });

  it("restarts our process without touching the agents, and a job running across the restart completes once", async () => {
    const before = panePids();
    const counter = join(base, "counter");
    const swarm = await connect({ home });
    try {
      const task = await swarm.submit({ task: `echo run >> ${counter}; sleep 2; echo finished`, agent: "alpha" });
      await new Promise((r) => setTimeout(r, 500));
      const restarted = pm2("restart", "claude-agent");
      expect(restarted.status, restarted.stderr).toBe(0);
      const result = await task.result();
      expect(result).toMatchObject({ status: "completed", output: "finished\n", attempts: 1 });
      expect(readFileSync(counter, "utf8")).toBe("run\n");
      expect(panePids()).toEqual(before);
    } finally {
      await swarm.close();
    }
  });

  it("stops gracefully on pm2 stop: our process closes cleanly and the agents stay up", () => {
    const before = panePids();
    const stopped = pm2("stop", "claude-agent");
    expect(stopped.status, stopped.stderr).toBe(0);
    const out = readFileSync(join(home, "logs", "pm2.out.log"), "utf8");
    expect(out).toMatch(/received SIG(INT|TERM): stopping intake/);
    expect(out.trimEnd().endsWith("stopped")).toBe(true);
    expect(panePids()).toEqual(before);
  });

  it("stays down after `claude-agent down`: pm2 does not start the daemon again", async () => {
    const started = pm2("start", "ecosystem.config.js");
    expect(started.status, started.stderr + started.stdout).toBe(0);
    const app = () =>
      (JSON.parse(pm2("jlist").stdout) as { name: string; pid: number; pm2_env: { status: string; restart_time: number } }[]).find(
        (a) => a.name === "claude-agent",
      );
    // A kill -9 is still healed: pm2 reports a signal's death as exit code 0, which must not be a stop code.
    const ready = join(home, "run", "daemon.ready");
    const killed = Number.parseInt(readFileSync(ready, "utf8"), 10);
    process.kill(killed, "SIGKILL");
    const deadline = Date.now() + 30_000;
    let healed = Number.NaN;
    while (Date.now() < deadline) {
      healed = existsSync(ready) ? Number.parseInt(readFileSync(ready, "utf8"), 10) : Number.NaN;
      if (healed > 0 && healed !== killed) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(healed).not.toBe(killed);
    expect(healed).toBeGreaterThan(0);
    const restartsBefore = app()?.pm2_env.restart_time;
    const down = runCli(["down"], { home });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/stopped: daemon/);
    expect(down.stderr).toContain(`pm2 keeps its app "claude-agent" stopped`);
    // pm2's first restart would come 100 ms after the exit (exp_backoff_restart_delay); give it ten times that.
    await new Promise((r) => setTimeout(r, 1000));
    // pm2 6.0.14 lists it as "waiting restart" (with exp_backoff_restart_delay it sets that status before it
    // looks at stop_exit_codes) but never runs the restart: no process, no restart counted.
    const after = app();
    expect(after?.pid).toBe(0);
    expect(after?.pm2_env.status).not.toBe("online");
    expect(after?.pm2_env.restart_time).toBe(restartsBefore);
    expect(runCli(["status"], { home }).exitCode).toBe(3);
  });
});
