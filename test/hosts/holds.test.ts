/**
 * Issue 16, holds per host: an agent with a replica on each of two simulated
 * hosts (two homes, each its own tmux server and daemon, one real
 * redis-server), whose replica on build-1 stops starting jobs while its pane
 * stays up: the test types ` cat >/dev/null` into that pane, so every
 * dispatch typed there is swallowed and given up on as an infrastructure
 * failure, as in test/faults/breaker.test.ts. build-1's circuit breaker opens
 * and holds build-1's worker only; gpu-1 runs every task meanwhile.
 */
import { execFileSync } from "node:child_process";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import type { SwarmEvent } from "../../core/index.js";
import { waitFor } from "../helpers/wait.js";
import { startTwoHosts, type TwoHosts, connectTestClients, type TestClients } from "./support.js";

const SWARM = `holds-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - { name: api, runtime: shell, replicas: 2, hosts: [build-1, gpu-1], timeout: 60 }
`;
// Two failures open it; it stays open for the whole test.
const TUNING = JSON.stringify({ breakerThreshold: 2, breakerOpenMs: 120_000, breakerMaxOpenMs: 120_000 });

describe("a circuit breaker in a swarm spanning hosts", { timeout: 240_000 }, () => {
  let pair: TwoHosts;
  let redis: Redis;
  let client: Swarm;
  let clients: TestClients | undefined;

  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "holds-pw", { CLAUDE_AGENT_TUNING: TUNING });
    clients = await connectTestClients(pair);
    ({ redis, client } = clients);
  }, 150_000);
  afterAll(async () => {
    await clients?.close();
    await pair?.stop();
  });

  const tmux = (...args: string[]): string => execFileSync("tmux", ["-S", pair.build.paths.tmuxSocket, ...args], { encoding: "utf8" }).trim();
  const events = async (): Promise<SwarmEvent[]> => client.client.events.recent(2_000);

  it("opens on the host whose sessions fail and holds only that host, while the other host runs every task", async () => {
    // api-1 lives on build-1: from now on a foreground program there swallows every line typed into it.
    const pane = tmux("list-panes", "-t", "=api-1", "-F", "#{pane_id}");
    tmux("send-keys", "-t", pane, "-l", " cat >/dev/null");
    tmux("send-keys", "-t", pane, "Enter");

    // Tasks keep coming (each keeps gpu-1's one session busy a moment) until build-1 has failed twice.
    const first: Awaited<ReturnType<Swarm["submit"]>>[] = [];
    const opened = await waitFor(
      "agent.breaker-open",
      async () => {
        first.push(await client.submit({ task: `sleep 0.3; echo first-${first.length}`, agent: "api" }));
        return (await events()).find((e) => e.type === "agent.breaker-open");
      },
      { timeoutMs: 120_000, everyMs: 300 },
    );
    expect(opened).toMatchObject({ agent: "api", host: "build-1" });
    expect(opened.reason).toMatch(/typed into api-1 but did not start/);
    expect(opened.message).toContain("circuit breaker open on host build-1");
    // Kept as build-1's: a breaker of another host of the agent is never restored or closed by this one.
    expect(Object.keys(await redis.hgetall(`ca-${SWARM}:breakers`))).toEqual(["api@build-1"]);

    // Every task completes, on gpu-1 (the ones build-1 failed ran again there).
    for (const handle of first) expect(await handle.result({ signal: AbortSignal.timeout(90_000) })).toMatchObject({ status: "completed", session: "api-2" });

    // While build-1's breaker is open, new tasks run on gpu-1 at once, each in one attempt.
    const second = await Promise.all(Array.from({ length: 4 }, (_, i) => client.submit({ task: `echo second-${i}`, agent: "api" })));
    for (const handle of second) {
      expect(await handle.result({ signal: AbortSignal.timeout(30_000) })).toMatchObject({ status: "completed", session: "api-2", attempts: 1 });
    }

    // status says where it is open, and holds only that host's session.
    const status = JSON.parse(pair.gpu.cli(["status", "--json"]).stdout) as {
      agents: { name: string; breaker?: { state: string; hosts?: string[] } }[];
    };
    expect(status.agents[0]!.breaker).toMatchObject({ state: "open", hosts: ["build-1"] });
    const human = pair.gpu.cli(["status"]).stdout;
    expect(human).toMatch(/api-1\s+build-1\s+shell\s+breaker open until/);
    expect(human).toMatch(/api-2\s+gpu-1\s+shell\s+idle/);
    expect(human).toContain("api: circuit breaker on build-1 (the other hosts take its jobs) open until");
  });

  // Goes on from the test above: build-1's breaker is open (for 120 s).
  it("stays open on build-1 when gpu-1's daemon restarts, and gpu-1 takes tasks again at once", async () => {
    const key = `ca-${SWARM}:breakers`;
    const before = await redis.hgetall(key);
    expect(Object.keys(before)).toEqual(["api@build-1"]);

    // gpu-1's daemon stops as `down` stops it (SIGTERM) and comes up again: its bridge restores the breakers it
    // finds in Redis, and only its own host's (none), neither reopening build-1's as its own nor dropping it.
    const daemon = pair.gpu.daemon!;
    const exited = new Promise((resolve) => daemon.once("exit", resolve));
    daemon.kill("SIGTERM");
    await exited;
    await pair.gpu.start();

    expect(await redis.hgetall(key)).toEqual(before);
    const handles = await Promise.all(Array.from({ length: 3 }, (_, i) => client.submit({ task: `echo after-restart-${i}`, agent: "api" })));
    for (const handle of handles) {
      expect(await handle.result({ signal: AbortSignal.timeout(60_000) })).toMatchObject({ status: "completed", session: "api-2", attempts: 1 });
    }
    // build-1's breaker is still open, and still build-1's alone.
    expect(await redis.hgetall(key)).toEqual(before);
    expect((await events()).filter((e) => e.type === "agent.breaker-closed")).toEqual([]);
    const status = JSON.parse(pair.gpu.cli(["status", "--json"]).stdout) as {
      agents: { name: string; breaker?: { state: string; hosts?: string[] } }[];
    };
    expect(status.agents[0]!.breaker).toMatchObject({ state: "open", hosts: ["build-1"] });
  });
});
