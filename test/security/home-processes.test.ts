/**
 * Issue 11, finding 8: `down` SIGTERMed an unrelated process whose pid was in
 * a stale `daemon.pid`; a foreground `up` piped into `head` exited 0 leaving a
 * stale pid file. `down` signals only a process proven to be this home's
 * daemon; `up` whose output is gone stops cleanly and exits 141, as SIGPIPE would.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../cli/pidfile.js";
import { CLI, runCli, startTestSwarm, tempHome } from "../helpers/swarm.js";
import { redisServersOf } from "./home-support.js";

const SWARM = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\ndefault_agent: alpha\n";

const homes: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const home of homes) {
    runCli(["down"], { home });
    rmSync(home, { recursive: true, force: true });
  }
  for (const child of children) child.kill("SIGKILL");
});

function newHome(): string {
  const home = tempHome();
  homes.push(home);
  writeFileSync(join(home, "swarm.yaml"), SWARM);
  return home;
}

describe("down and a stale daemon.pid", { timeout: 180_000 }, () => {
  it("never signals an unrelated process whose pid the file names", () => {
    const home = newHome();
    const stranger = spawn("sleep", ["300"], { stdio: "ignore" });
    children.push(stranger);
    mkdirSync(join(home, "run"), { recursive: true });
    writeFileSync(join(home, "run", "daemon.pid"), `${stranger.pid}\n`);
    const down = runCli(["down"], { home });
    expect(stranger.signalCode).toBeNull();
    expect(isAlive(stranger.pid!)).toBe(true);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toContain(`named pid ${stranger.pid}, which is not this home's daemon (sleep 300); it was not signalled`);
    expect(existsSync(join(home, "run", "daemon.pid"))).toBe(false);
  });

  it("never signals the daemon of another home whose pid the file names", async () => {
    const other = await startTestSwarm(SWARM);
    try {
      const home = newHome();
      mkdirSync(join(home, "run"), { recursive: true });
      writeFileSync(join(home, "run", "daemon.pid"), `${other.daemon!.pid}\n`);
      const down = runCli(["down"], { home });
      await new Promise((resolve) => setTimeout(resolve, 500)); // a SIGTERMed daemon would be closing now
      expect(isAlive(other.daemon!.pid!)).toBe(true);
      expect(down.exitCode, down.stderr).toBe(0);
      expect(down.stderr).toContain("which is not this home's daemon");
      expect(other.cli(["submit", "--task", "echo other-lives", "--wait"]).stdout).toContain("\nother-lives\n");
    } finally {
      await other.destroy();
    }
  });
});

describe("up whose output reader goes away (`up | head -1`)", { timeout: 180_000 }, () => {
  it("stops cleanly: exits 141, removes its pid file and frees the home", () => {
    const home = newHome();
    const pipeline = spawnSync(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${CLI}" --home "${home}" up --config "${join(home, "swarm.yaml")}" | head -1`],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(pipeline.status, pipeline.stderr).toBe(141);
    expect(pipeline.stdout).toMatch(/^redis: started/);
    expect(pipeline.stderr).toContain("stdout was closed: stopping intake");
    expect(existsSync(join(home, "run", "daemon.pid"))).toBe(false);
    expect(existsSync(join(home, "run", "daemon.ready"))).toBe(false);
    // Nothing holds the home: a new daemon starts, and down stops everything.
    const up = runCli(["up", "--detach"], { home, cwd: home });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(runCli(["down"], { home }).exitCode).toBe(0);
    expect(redisServersOf(home)).toEqual([]);
  });
});
