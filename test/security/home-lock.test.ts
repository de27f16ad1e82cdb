/**
 * Issue 11, finding 8: two `up` at once in one home leaked redis-servers
 * appending to the same AOF and a daemon that survived `down`. The daemon
 * holds an exclusive lock on its home for its whole life, Redis is started
 * only under it, and the kernel frees it the moment the daemon dies.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, tempHome } from "../helpers/swarm.js";
import { isReady, redisServersOf, spawnUp, tmuxOf, type Daemon } from "./home-support.js";
import { waitFor } from "../helpers/wait.js";

const SWARM = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\ndefault_agent: alpha\n";
/**
 * A long comment makes each read of swarm.yaml take about a second, as a big commented config would:
 * a check-then-act between "is a daemon running?" and "I am the daemon" then races for certain.
 */
const SLOW_TO_PARSE = "# a long comment, read and parsed like any other line of swarm.yaml\n".repeat(60_000);

describe("the home's lock", { timeout: 180_000 }, () => {
  const home = tempHome();
  const configFile = join(home, "swarm.yaml");
  writeFileSync(configFile, SWARM);
  const daemons: Daemon[] = [];
  afterAll(() => {
    runCli(["down"], { home });
    for (const daemon of daemons) if (!daemon.exited()) daemon.child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });

  it("two `up` started at once: exactly one runs, the other says which pid holds the home and leaves nothing behind", async () => {
    writeFileSync(configFile, SWARM + SLOW_TO_PARSE);
    const first = spawnUp(home, configFile, "1");
    const second = spawnUp(home, configFile, "2");
    daemons.push(first, second);
    await waitFor("one daemon ready and the other gone", () => (isReady(home, first) && second.exited()) || (isReady(home, second) && first.exited()), {
      timeoutMs: 120_000,
    });
    const [winner, loser] = isReady(home, first) ? [first, second] : [second, first];
    expect(loser.child.exitCode, loser.output()).toBe(2);
    expect(loser.output()).toContain(`already running (pid ${winner.pid})`);
    expect(redisServersOf(home)).toHaveLength(1);

    const task = runCli(["submit", "--task", "echo one-daemon", "--wait", "--json"], { home });
    expect(JSON.parse(task.stdout)).toMatchObject({ status: "completed", output: "one-daemon\n" });

    const down = runCli(["down"], { home });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`^stopped: daemon \\(pid ${winner.pid}\\), tmux sessions, redis$`, "m"));
    await waitFor("the daemon to exit after down", () => winner.exited());
    expect(redisServersOf(home)).toEqual([]);
    expect(tmuxOf(home)).toEqual([]);
  });

  it("a daemon killed with -9 frees the home at once: the next up starts without a stale lock", async () => {
    writeFileSync(configFile, SWARM);
    const daemon = spawnUp(home, configFile, "3");
    daemons.push(daemon);
    await waitFor("the daemon to be ready", () => isReady(home, daemon), { timeoutMs: 60_000 });
    daemon.child.kill("SIGKILL");
    await waitFor("the killed daemon to be gone", () => daemon.exited(), { timeoutMs: 60_000 });
    const up = runCli(["up", "--detach"], { home, cwd: home });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(redisServersOf(home)).toHaveLength(1); // the first daemon's Redis, reused
    expect(runCli(["down"], { home }).exitCode).toBe(0);
    expect(redisServersOf(home)).toEqual([]);
  });
});
