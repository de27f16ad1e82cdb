/**
 * Issue 16: the leader's host cut off from Redis in the middle of a workflow, for longer than the host lease
 * (30 s). Two simulated hosts behind TCP proxies of their own (tcp-proxy.ts), one real redis-server with a
 * password. build-1 starts first and leads; the workflow's steps run on gpu-1's agent, and build-1 has an idle
 * session of its own. The cut is a blackhole (a silent partition: nothing closed, no byte through, as a
 * firewall dropping packets does), so build-1's daemon keeps running with every Redis command it sends held,
 * and delivered when the link is restored: a stale leader's writes arrive late, and must change nothing.
 * Times are printed (docs/MULTI-HOST.md), never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys as swarmKeys, OWNER_LEASE_MS, readLeader } from "../../core/index.js";
import type { ExecutionState } from "../../workflows/index.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { recordHostFault } from "./fault-rows.js";
import { daemonLog, startChain, startTwoHostsBehindProxies, type TwoHostsBehindProxies } from "./support.js";

const SWARM = `leader-cut-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - { name: work, runtime: shell, hosts: [gpu-1], timeout: 180 }
  - { name: spare, runtime: shell, hosts: [build-1], timeout: 60 }
`;
const k = swarmKeys(`ca-${SWARM}`);

interface StatusJson {
  leader: { host: string; token: number } | null;
  hosts: { name: string; state: string; leader: boolean }[];
  sessions: { name: string; host: string; state: string }[];
}

describe("the leader's host cut off from Redis mid-workflow for longer than the host lease", { timeout: 300_000 }, () => {
  let pair: TwoHostsBehindProxies;
  let redis: Redis;
  const dir = mkdtempSync(join(tmpdir(), "ca-leader-cut-"));

  beforeAll(async () => {
    pair = await startTwoHostsBehindProxies(YAML, "leader-cut-pw");
    redis = new Redis(pair.env.REDIS_URL!);
  }, 150_000);
  afterAll(async () => {
    redis?.disconnect();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const execution = async (id: string): Promise<ExecutionState> => JSON.parse((await redis.get(`${k.prefix}:wf:${id}`)) ?? "null") as ExecutionState;
  const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);
  const status = (home: TestSwarm): StatusJson => JSON.parse(home.cli(["status", "--json"]).stdout) as StatusJson;

  it("leads from the other host within seconds, shows the cut-off host silent, finishes the workflow once; the old leader steps down by itself while cut off, and its held writes change nothing", async () => {
    const { build, gpu } = pair;
    const stale = await waitFor("build-1 to lead", async () => {
      const lease = await readLeader(redis, k);
      return lease?.host === "build-1" ? lease : null;
    });
    const id = startChain(gpu, dir);
    await waitFor("the middle step to run", () => lines(join(dir, "two")).length > 0);

    const cutAt = Date.now();
    await pair.links.build.cut({ mode: "blackhole" });
    const next = await waitFor("gpu-1 to lead", async () => {
      const lease = await readLeader(redis, k);
      return lease?.host === "gpu-1" ? lease : null;
    });
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(stale.token));
    // The middle step ends while build-1 is cut off; gpu-1's engine goes on with the execution.
    writeFileSync(join(dir, "two.go"), "");
    const done = await waitFor(
      "the execution to end",
      async () => {
        const state = await execution(id);
        return state.status !== "running" ? state : null;
      },
      { timeoutMs: 60_000 },
    );
    const finishedAt = Date.now();

    // Past the host lease, seen from gpu-1: build-1 silent, its idle session down, gpu-1 leading.
    const silent = await waitFor(
      "build-1 to be shown silent",
      () => {
        const now = status(gpu);
        return now.hosts.find((h) => h.name === "build-1")?.state === "silent" ? now : null;
      },
      { timeoutMs: OWNER_LEASE_MS + 20_000, everyMs: 1000 },
    );
    // Silence is a last beat older than the lease (30 s): the link stays cut until it shows.
    const silentAfter = Date.now() - cutAt;
    expect(silent.leader?.host).toBe("gpu-1");
    expect(silent.sessions.filter((s) => s.host === "build-1").map((s) => [s.name, s.state])).toEqual([["spare-1", "down"]]);

    // build-1 stepped down by itself once its lease (3 s) ran out unrenewed, long before its link came back: its
    // renewals got no answer at all, neither a reply nor an error.
    const deposed = daemonLog(build, "leader.deposed").find((e) => e.term === stale.token);
    expect(deposed?.reason).toMatch(/^no renewal confirmed for \d+ ms \(the lease lasts 3000 ms\)$/);
    const deposedAfter = Date.parse(String(deposed!.at)) - cutAt;
    await pair.links.build.restore();
    // build-1 beats again and its session is its own again (reconciled, not a second one), gpu-1 still leading.
    const back = await waitFor(
      "build-1 up again with its session idle",
      () => {
        const now = status(build);
        const own = now.sessions.filter((s) => s.host === "build-1");
        return now.hosts.find((h) => h.name === "build-1")?.state === "up" && own.length === 1 && own[0]!.state === "idle" ? now : null;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    expect(back.leader?.host).toBe("gpu-1");
    expect(back.sessions.map((s) => s.name).sort()).toEqual(["spare-1", "work-1"]);

    // Every step ran once, and what build-1 sent while cut off (delivered at the restore) changed nothing.
    expect(done.status).toBe("completed");
    for (const step of ["one", "two", "three"]) expect(lines(join(dir, step)), step).toEqual(["run"]);
    expect(Object.values(done.steps).map((step) => step.attempts)).toEqual([1, 1, 1]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await execution(id)).toEqual(done);
    recordHostFault("leader-cut", {
      recoveryMs: finishedAt - cutAt,
      jobBackMs: null,
      submitted: 3,
      completed: Object.values(done.steps).filter((step) => step.status === "completed").length,
      failed: Object.values(done.steps).filter((step) => step.status !== "completed").length,
      lost: 0,
      duplicates: Object.values(done.steps).filter((step) => step.attempts !== 1).length,
      notes: `a three-step workflow; gpu-1 leading ${((next.since - cutAt) / 1000).toFixed(2)} s after the cut (lease 3 s), build-1 stepping down by itself ${(deposedAfter / 1000).toFixed(2)} s after it; build-1 shown silent after ${(silentAfter / 1000).toFixed(1)} s, then restored: its held writes changed nothing; every step ran once`,
    });
    console.log(
      `leader cut off (blackhole) mid-workflow: gpu-1 leading after ${next.since - cutAt} ms; execution finished ${finishedAt - cutAt} ms after the cut; ` +
        `build-1 stepped down by itself ${deposedAfter} ms after the cut and was shown silent after ${silentAfter} ms`,
    );
  });
});
