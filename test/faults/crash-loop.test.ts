import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, jobState, sleep, until } from "./support.js";

const TUNING = JSON.stringify({ crashLimit: 3, crashWindowMs: 60_000, failedProbeMs: 4_000 });

describe("an agent whose program keeps dying", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 1\n    timeout: 60\n", { env: { CLAUDE_AGENT_TUNING: TUNING } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  const panePid = () =>
    Number(execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "list-panes", "-t", "=alpha-1", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim());
  const sessionState = async () => (await client.status()).sessions.find((s) => s.name === "alpha-1")?.state;

  it("is marked failed after repeated crashes, holds its jobs instead of failing them, and comes back on the next probe", async () => {
    for (let crash = 1; crash <= 3; crash++) {
      await until(`alpha-1 up before crash ${crash}`, async () => (await sessionState()) === "idle");
      process.kill(panePid(), "SIGKILL");
      await until(`crash ${crash} noticed`, async () => (await sessionState()) !== "idle");
    }
    await until("alpha-1 marked failed", async () => (await sessionState()) === "failed");
    const events = await client.client.events.recent(200);
    expect(events.some((e) => e.type === "agent.failed" && e.session === "alpha-1")).toBe(true);

    const task = await client.submit({ task: "echo after-the-storm", agent: "alpha" });
    await sleep(1_000);
    expect((await client.result(task.id)).status).toBe("queued");
    // The agent's worker is paused: the job waits in the queue rather than being taken and stuck.
    expect(await jobState(client, "alpha", task.id)).toMatch(/^(waiting|prioritized)$/);

    const result = await task.result();
    expect(result).toMatchObject({ status: "completed", output: "after-the-storm\n", attempts: 1 });
    expect(await sessionState()).toBe("idle");
  });
});
