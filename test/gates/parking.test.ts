/**
 * Rate-limit parking when the program says when its limit lifts: the
 * agent's queue waits until that time (plus a margin), across a restart of
 * the bridge, and then runs what queued up. The program is a script that
 * writes what Claude Code writes for a subscription's usage limit
 * (fixtures/limited-claude.sh); the real program against a 429 is in
 * claude.test.ts.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmEvent } from "../../core/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const PROGRAM = join(import.meta.dirname, "fixtures", "limited-claude.sh");
const RESET_IN_SEC = 6;
const MARGIN_MS = 2000;

const YAML = `
agents:
  - name: sub
    runtime: claude
    command: ${PROGRAM}
    replicas: 2
    timeout: 30
    env: { FAKE_RESET_IN: ${RESET_IN_SEC} }
  - name: other
    runtime: shell
    timeout: 30
`;

describe("rate-limit parking", () => {
  let swarm: TestSwarm;

  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("parks the agent until the reset time, keeps it parked across a bridge restart, then runs the queued tasks", async () => {
    let client = await swarm.connect();
    const since = await client.client.events.lastId();
    const limited = await (await client.submit({ task: "go [[limit]]", agent: "sub" })).result({ signal: AbortSignal.timeout(20_000) });
    expect(limited.status).toBe("failed");
    expect(limited.reason).toMatch(/^rate limited \(resets at \d{4}-.*Z\): Claude AI usage limit reached$/);
    const resetAt = Date.parse(limited.rateLimitResetAt!);
    expect(resetAt).toBeGreaterThan(Date.now());

    const parked = (await client.status()).agents.find((a) => a.name === "sub")?.parkedUntil;
    expect(Date.parse(parked!)).toBe(resetAt + MARGIN_MS);
    // Other agents are not affected.
    expect(await (await client.submit({ task: "echo free", agent: "other" })).result()).toMatchObject({ status: "completed" });

    // A restarted bridge keeps the parking.
    await swarm.kill9();
    await swarm.start();
    client = await swarm.connect();
    const queued = await Promise.all([client.submit({ task: "first", agent: "sub" }), client.submit({ task: "second", agent: "sub" })]);
    const results = await Promise.all(queued.map((handle) => handle.result({ signal: AbortSignal.timeout(30_000) })));
    for (const result of results) {
      expect(result).toMatchObject({ status: "completed", answer: "done" });
      expect(Date.parse(result.startedAt!)).toBeGreaterThanOrEqual(resetAt + MARGIN_MS - 50);
    }
    const events = (await client.client.events.recent(300)).filter((e: SwarmEvent) => e.id > since && e.agent === "sub");
    const parkedEvents = events.filter((e) => e.type === "agent.parked");
    expect(parkedEvents.length).toBeGreaterThanOrEqual(1);
    expect(Date.parse(parkedEvents[0]!.until!)).toBe(resetAt + MARGIN_MS);
    expect(events.map((e) => e.type)).toContain("agent.resumed");
    expect((await client.status()).agents.find((a) => a.name === "sub")?.parkedUntil).toBeUndefined();
  });
});
