/** A foreground `up` prints a line as each task starts and ends; a detached swarm's log gets none. Through the built CLI. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

describe("up's task lines", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("in the foreground: one line when a task starts and one when it ends, failures included", async () => {
    const swarm: TestSwarm = await startTestSwarm();
    cleanups.push(() => swarm.destroy());
    const client = await swarm.connect();
    const ok = await client.submit({ task: "echo fine", agent: "beta" });
    const bad = await client.submit({ task: "exit 3", agent: "beta" });
    await Promise.all([ok.result(), bad.result()]);
    const log = () => readFileSync(join(swarm.home, "daemon.test.log"), "utf8");
    await waitFor("the failed task's line", () => log().includes(`task.failed`));
    const lines = log().split("\n");
    const about = (id: string) => lines.filter((line) => line.includes(id)).map((line) => line.trim().split(/\s+/).slice(1, 5).join(" "));
    expect(about(ok.id)).toEqual([`task.started ${ok.id} beta beta-1`, `task.completed ${ok.id} beta beta-1`]);
    expect(about(bad.id)).toEqual([`task.started ${bad.id} beta beta-1`, `task.failed ${bad.id} beta beta-1`]);
  });

  it("detached: the daemon's log has no task lines (the keeper starts it with --no-task-log)", async () => {
    const home = tempHome();
    cleanups.push(() => {
      runCli(["down"], { home });
      rmSync(home, { recursive: true, force: true });
    });
    const config = join(home, "swarm.yaml");
    writeFileSync(config, "agents:\n  - { name: solo, runtime: shell }\napi: false\n");
    expect(runCli(["up", "--detach", "--config", config], { home, cwd: home }).exitCode).toBe(0);
    const done = runCli(["submit", "--task", "echo detached", "--agent", "solo", "--wait"], { home, cwd: home });
    expect(done.exitCode, done.stderr).toBe(0);
    expect(readFileSync(join(home, "logs", "daemon.out"), "utf8")).not.toMatch(/task\.(started|completed)/);
  });
});
