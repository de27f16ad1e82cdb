import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, until } from "./support.js";

describe("the whole tmux server killed", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 2\n    timeout: 60\n");
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  it("is started again with every session, and the job that died with it is retried and completes", async () => {
    const task = await client.submit({ task: "sleep 1; echo survived", agent: "alpha" });
    await until("the task to start", async () => (await client.result(task.id)).status === "running");
    execFileSync("tmux", ["-S", swarm.paths.tmuxSocket, "kill-server"]);
    const result = await task.result();
    expect(result).toMatchObject({ status: "completed", output: "survived\n" });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    const sessions = await until("both sessions to be idle again", async () => {
      const status = await client.status();
      return status.sessions.every((s) => s.state === "idle") ? status.sessions : null;
    });
    expect(sessions.map((s) => s.name).sort()).toEqual(["alpha-1", "alpha-2"]);
    const next = await (await client.submit({ task: "echo next", agent: "alpha" })).result();
    expect(next).toMatchObject({ status: "completed", output: "next\n" });
  });
});
