/**
 * Stopping a daemon whose Redis is gone: closing waits on Redis (BullMQ's
 * workers, the task log), so before this the daemon never exited after
 * SIGTERM (still there 20 s later). It now says why it stops at once, exits
 * when stopping has not finished within 20 s or at a second Ctrl-C or
 * SIGTERM, says so, and leaves the home to the next `up`.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

const YAML = `
agents:
  - name: alpha
    runtime: shell
    timeout: 60
`;

describe("a daemon asked to stop after its Redis died", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  const log = () => readFileSync(join(swarm.home, "daemon.test.log"), "utf8");

  /** kill -9 of the swarm's embedded redis-server, as a crash would. */
  function killRedis(): void {
    process.kill(Number(readFileSync(swarm.paths.redisPid, "utf8").trim()), "SIGKILL");
  }

  function exited(child: ChildProcess): Promise<number | null> {
    return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
  }, 60_000);
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("exits by itself once stopping has taken 20 s, saying why, and the next up takes the home", async () => {
    const daemon = swarm.daemon!;
    killRedis();
    daemon.kill("SIGTERM");
    await waitFor("the reason at once", () => log().includes("received SIGTERM: stopping intake"));
    // Waited on, not timed: the test pins that the daemon exits, not how fast.
    expect(await exited(daemon)).toBe(1);
    expect(log()).toContain("stopping did not finish within 20 s: exiting now; the agents keep running in tmux");
    expect(existsSync(join(swarm.paths.runDir, "daemon.ready"))).toBe(false);
    expect(existsSync(swarm.paths.daemonPid)).toBe(false);
    await swarm.start(); // starts Redis again and takes the home's lock
    const done = swarm.cli(["submit", "--task", "echo after", "--wait"]);
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toContain("after");
  });

  it("exits at once on a second Ctrl-C (or SIGTERM) while it stops", async () => {
    const daemon = swarm.daemon!;
    const from = log().length;
    const since = () => log().slice(from);
    killRedis();
    daemon.kill("SIGINT");
    await waitFor("the reason at once", () => since().includes("received SIGINT: stopping intake"));
    daemon.kill("SIGINT");
    expect(await exited(daemon)).toBe(1);
    expect(since()).toContain("received SIGINT again while stopping: exiting now");
    expect(since()).not.toContain("did not finish");
  });
});
