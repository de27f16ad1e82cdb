import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

describe("a shell swarm", () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("runs a submitted command in an agent's pane and returns its output and exit code", async () => {
    const client = await swarm.connect();
    const task = await client.submit({ task: "echo hello; exit 4", agent: "beta" });
    const result = await task.result();
    expect(result).toMatchObject({ status: "failed", exitCode: 4, output: "hello\n", agent: "beta", session: "beta-1", attempts: 1 });
  });
});
