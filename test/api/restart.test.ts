/**
 * POST /v1/sessions/{name}/restart: a request the bridge carries out (it
 * kills the session and the session-gone path starts it again), not a tmux
 * command of the API's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiSwarm, type ApiSwarm } from "./support.js";
import { waitFor } from "../helpers/wait.js";

describe("the session restart API", () => {
  let api: ApiSwarm;
  beforeAll(async () => {
    api = await startApiSwarm();
  });
  afterAll(async () => api?.swarm.destroy());

  it("has the bridge restart the session, which comes back idle with one restart", { timeout: 60_000 }, async () => {
    const reply = await api.call("POST", "/v1/sessions/beta-1/restart");
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ session: "beta-1", restarted: true, message: "killed beta-1; the bridge starts it again" });
    const client = await api.swarm.connect();
    try {
      const down = (await client.client.events.recent(200)).find((e) => e.type === "agent.down" && e.session === "beta-1");
      expect(down?.message).toMatch(/restart requested through the API by /);
      await waitFor(
        "beta-1 back",
        async () => (await client.client.sessions()).find((s) => s.name === "beta-1" && s.state === "idle" && s.restarts === 1) ?? null,
      );
    } finally {
      await client.close();
    }
  });

  it("answers 404 for a session the swarm does not have", async () => {
    expect((await api.call("POST", "/v1/sessions/ghost-1/restart")).status).toBe(404);
  });
});
