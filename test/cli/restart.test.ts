/**
 * `claude-agent restart <session>` on a real swarm: the request goes through
 * Redis to the bridge, which kills the session and starts it again; an
 * unknown session is a usage-level error (exit 2) naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

describe("restart", () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("says what it does in --help", () => {
    const help = swarm.cli(["restart", "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/restart an agent session/);
    expect(help.stdout).toMatch(/--json/);
  });

  it("exits 2 naming a session the swarm does not have", () => {
    const r = swarm.cli(["restart", "ghost-1"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no session named "ghost-1"');
  });

  it("has the bridge kill the session and start it again, and says who asked", { timeout: 60_000 }, async () => {
    const r = swarm.cli(["restart", "beta-1", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ session: "beta-1", restarting: true, requestedBy: expect.any(String) });
    const client = await swarm.connect();
    try {
      const down = (await client.client.events.recent(200)).find((e) => e.type === "agent.down" && e.session === "beta-1");
      expect(down?.message).toMatch(/restart requested from the CLI by .+ \(cli\)/);
      const deadline = Date.now() + 30_000;
      let session = (await client.client.sessions()).find((s) => s.name === "beta-1");
      while (!(session?.state === "idle" && session.restarts === 1) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        session = (await client.client.sessions()).find((s) => s.name === "beta-1");
      }
      expect(session).toMatchObject({ state: "idle", restarts: 1 });
      const done = await (await client.submit({ task: "echo back", agent: "beta" })).result();
      expect(done).toMatchObject({ status: "completed", output: "back\n" });
    } finally {
      await client.close();
    }
  });
});
