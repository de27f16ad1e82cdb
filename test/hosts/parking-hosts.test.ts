/**
 * Issue 16, holds per host: rate-limit parking in a swarm spanning hosts. An
 * agent with a replica on each of two simulated hosts (two homes, each its
 * own tmux server and daemon, one real redis-server) whose program hits a
 * usage limit on one of them. The program is the script of
 * test/gates/parking.test.ts that writes what Claude Code writes for a
 * subscription's usage limit (the real program against a 429 is in
 * test/agents/claude.test.ts). The host that hit the limit parks; the other
 * host goes on taking the agent's jobs before the limit lifts.
 */
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import type { SwarmEvent } from "../../core/index.js";
import { startTwoHosts, type TwoHosts, connectTestClients, type TestClients } from "./support.js";

const PROGRAM = join(import.meta.dirname, "..", "gates", "fixtures", "limited-claude.sh");
const SWARM = `parking-hosts-${process.pid}`;
/** Long enough for the other host to run two tasks before the limit lifts, on a loaded machine. */
const RESET_IN_SEC = 25;
const MARGIN_MS = 2000;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - name: sub
    runtime: claude
    command: ${PROGRAM}
    replicas: 2
    hosts: [build-1, gpu-1]
    timeout: 30
    env: { FAKE_RESET_IN: ${RESET_IN_SEC} }
`;

describe("rate-limit parking in a swarm spanning hosts", { timeout: 240_000 }, () => {
  let pair: TwoHosts;
  let redis: Redis;
  let client: Swarm;
  let clients: TestClients | undefined;

  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "parking-hosts-pw");
    clients = await connectTestClients(pair);
    ({ redis, client } = clients);
  }, 150_000);
  afterAll(async () => {
    await clients?.close();
    await pair?.stop();
  });

  it("parks only the host whose program hit the limit, and the other host runs the agent's tasks before it lifts", async () => {
    const since = await client.client.events.lastId();
    const limited = await (await client.submit({ task: "go [[limit]]", agent: "sub" })).result({ signal: AbortSignal.timeout(30_000) });
    expect(limited.status).toBe("failed");
    expect(limited.reason).toMatch(/^rate limited \(resets at \d{4}-.*Z\): Claude AI usage limit reached$/);
    const parkedOn = limited.host!;
    const other = parkedOn === "build-1" ? "gpu-1" : "build-1";
    expect(["build-1", "gpu-1"]).toContain(parkedOn);
    const resetAt = Date.parse(limited.rateLimitResetAt!);
    const until = new Date(resetAt + MARGIN_MS).toISOString();

    // Kept as that host's: another host never restores or ends it.
    expect(await redis.hgetall(`ca-${SWARM}:parked`)).toEqual({ [`sub@${parkedOn}`]: until });
    const status = JSON.parse(pair.gpu.cli(["status", "--json"]).stdout) as { agents: { name: string; parkedUntil?: string; parkedHosts?: string[] }[] };
    expect(status.agents[0]).toMatchObject({ name: "sub", parkedUntil: until, parkedHosts: [parkedOn] });
    const human = pair.build.cli(["status"]).stdout;
    expect(human).toMatch(new RegExp(`sub-\\d\\s+${parkedOn}\\s+claude\\s+parked until ${until}`));
    expect(human).toMatch(new RegExp(`sub-\\d\\s+${other}\\s+claude\\s+idle`));

    // The other host takes the agent's next tasks at once, long before the limit lifts.
    const next = await Promise.all([client.submit({ task: "first", agent: "sub" }), client.submit({ task: "second", agent: "sub" })]);
    for (const handle of next) {
      const result = await handle.result({ signal: AbortSignal.timeout(30_000) });
      expect(result).toMatchObject({ status: "completed", answer: "done", host: other });
      expect(Date.parse(result.startedAt!)).toBeLessThan(resetAt);
    }

    const parked = (await client.client.events.recent(500)).filter((e: SwarmEvent) => e.id > since && e.type === "agent.parked");
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ agent: "sub", host: parkedOn, until });
    expect(parked[0]!.message).toContain(`on host ${parkedOn} (its other hosts go on taking its jobs)`);
  });
});
