import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { until } from "../faults/support.js";

/** Session heartbeats: written for every live session, idle ones included, by the bridge that watches them. */
describe("session heartbeats", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 2\n", {
      env: { CLAUDE_AGENT_TUNING: JSON.stringify({ sessionHeartbeatMs: 200 }) },
    });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  const heartbeats = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await client.status()).sessions.map((s) => [s.name, s.heartbeatAt ? Date.parse(s.heartbeatAt) : 0]));

  it("advances for idle sessions while the daemon runs, and stops when it is gone", async () => {
    const first = await heartbeats();
    expect(Object.keys(first).sort()).toEqual(["alpha-1", "alpha-2"]);
    const later = await until(
      "every idle session's heartbeat to advance",
      async () => {
        const now = await heartbeats();
        return Object.keys(first).every((name) => now[name]! > first[name]!) ? now : null;
      },
      10_000,
      100,
    );
    await swarm.kill9();
    await new Promise((r) => setTimeout(r, 600));
    const stale = await heartbeats();
    await new Promise((r) => setTimeout(r, 600));
    expect(await heartbeats()).toEqual(stale);
    expect(stale["alpha-1"]).toBeGreaterThanOrEqual(later["alpha-1"]!);
  });
});
