/**
 * Issue 16, one control loop, many workers: the leader lease between the
 * daemons of two simulated hosts (two homes, one real redis-server with a
 * password, as in two-hosts.test.ts). The workflow's steps run on gpu-1's
 * agent; build-1 starts first and leads. Each step appends a line to a file of
 * its own, so "ran exactly once" is a line count; the middle step waits for a
 * file the test writes, which holds the execution mid-run. Times are recorded
 * and printed (the failover figures of docs/MULTI-HOST.md), never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys as swarmKeys, readLeader, type LeaderRecord } from "../../core/index.js";
import type { ExecutionState } from "../../workflows/index.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { recordHostFault } from "./fault-rows.js";
import { daemonLog, startChain, startTwoHosts, type TwoHosts } from "./support.js";

const SWARM = `leader-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - { name: work, runtime: shell, hosts: [gpu-1], timeout: 120 }
api:
  listen: 127.0.0.1:0
`;
const k = swarmKeys(`ca-${SWARM}`);

interface StatusJson {
  leader: { host: string; token: number; since: string } | null;
  hosts: { name: string; state: string; leader: boolean }[];
}

describe("one control loop, many workers: the leader lease across two hosts", { timeout: 300_000 }, () => {
  let pair: TwoHosts;
  let build: TestSwarm;
  let gpu: TestSwarm;
  let redis: Redis;
  const dirs: string[] = [];

  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "leader-pw");
    ({ build, gpu } = pair);
    redis = new Redis(pair.env.REDIS_URL!);
  }, 150_000);
  afterAll(async () => {
    // A frozen daemon would not hear `down`.
    if (gpu?.daemon?.pid) process.kill(gpu.daemon.pid, "SIGCONT");
    redis?.disconnect();
    await pair?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const leader = (): Promise<LeaderRecord | null> => readLeader(redis, k);
  const execution = async (id: string): Promise<ExecutionState> => JSON.parse((await redis.get(`${k.prefix}:wf:${id}`)) ?? "null") as ExecutionState;
  const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

  /** Starts the three-step chain (support.ts) from `from`, in a folder of its own. */
  function startChainIn(from: TestSwarm): { id: string; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), "ca-lead-"));
    dirs.push(dir);
    return { id: startChain(from, dir), dir };
  }

  async function finished(id: string): Promise<ExecutionState> {
    return waitFor(
      `execution ${id} to end`,
      async () => {
        const state = await execution(id);
        return state.status !== "running" ? state : null;
      },
      { timeoutMs: 60_000 },
    );
  }

  function expectEachStepRanOnce(state: ExecutionState, dir: string): void {
    expect(state.status).toBe("completed");
    expect(Object.fromEntries(Object.entries(state.steps).map(([id, st]) => [id, [st.status, st.attempts]]))).toEqual({
      one: ["completed", 1],
      two: ["completed", 1],
      three: ["completed", 1],
    });
    for (const step of ["one", "two", "three"]) expect(lines(join(dir, step)), step).toEqual(["run"]);
  }

  /** A finished execution's steps as a fault row counts them (each step's task: one submitted, one terminal). */
  function stepCounts(state: ExecutionState) {
    const steps = Object.values(state.steps);
    return {
      submitted: steps.length,
      completed: steps.filter((st) => st.status === "completed").length,
      failed: steps.filter((st) => st.status !== "completed").length,
      lost: 0,
      duplicates: steps.filter((st) => st.attempts !== 1).length,
    };
  }

  it("has exactly one leader with two hosts up, the first to start, shown by status on both homes and by /health", async () => {
    const lease = await leader();
    expect(lease).toMatchObject({ host: "build-1", pid: build.daemon!.pid });
    for (const home of [build, gpu]) {
      const status = JSON.parse(home.cli(["status", "--json"]).stdout) as StatusJson;
      expect(status.leader).toMatchObject({ host: "build-1", token: Number(lease!.token), since: new Date(lease!.since).toISOString() });
      expect(status.hosts.map((h) => [h.name, h.state, h.leader])).toEqual([
        ["build-1", "up", true],
        ["gpu-1", "up", false],
      ]);
    }
    const human = gpu.cli(["status"]).stdout;
    expect(human).toContain(`leader: build-1 (fencing token ${lease!.token}, since`);
    expect(human).toMatch(/build-1\s+up, leader\s/);
    expect(human).toMatch(/gpu-1\s+up\s/);
    const url = (JSON.parse(readFileSync(join(gpu.paths.runDir, "api.json"), "utf8")) as { url: string }).url;
    const health = (await (await fetch(`${url}/health`)).json()) as { leader: unknown; components: Record<string, { status: string; detail: string }> };
    expect(health.leader).toEqual({ host: "build-1", token: Number(lease!.token), since: new Date(lease!.since).toISOString() });
    expect(health.components.leader).toMatchObject({ status: "ok", detail: expect.stringContaining("build-1 leads") });
    expect(daemonLog(build, "leader.elected")).toHaveLength(1);
    expect(daemonLog(gpu, "leader.elected")).toEqual([]);
  });

  it("after kill -9 of the leader's daemon mid-workflow, the other host takes over, resumes the execution and finishes it, every step run once", async () => {
    const before = (await leader())!;
    const { id, dir } = startChainIn(build);
    await waitFor("the middle step to run", () => lines(join(dir, "two")).length > 0);
    expect((await execution(id)).steps.two!.status).toBe("running");
    const killedAt = Date.now();
    await build.kill9();
    // The middle step ends while no host leads: the next one waits for the new leader.
    writeFileSync(join(dir, "two.go"), "");
    const next = await waitFor("gpu-1 to lead", async () => {
      const lease = await leader();
      return lease?.host === "gpu-1" ? lease : null;
    });
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(before.token));
    const done = await finished(id);
    expectEachStepRanOnce(done, dir);
    const dispatchedAt = Date.parse(done.steps.three!.startedAt!);
    console.log(
      `failover (kill -9 of the leader): gpu-1 leading after ${next.since - killedAt} ms; the workflow's next step dispatched after ${dispatchedAt - killedAt} ms`,
    );
    expect(daemonLog(gpu, "leader.elected").map((e) => e.term)).toEqual([next.token]);
    recordHostFault("leader-killed", {
      recoveryMs: dispatchedAt - killedAt,
      jobBackMs: null,
      ...stepCounts(done),
      notes: `a three-step workflow, killed while its middle step ran; gpu-1 leading ${((next.since - killedAt) / 1000).toFixed(2)} s after the kill (lease 3 s); every step ran once`,
    });
  });

  it("a leader frozen with SIGSTOP past its lease finds another leading when it wakes, steps down, and no step runs twice", async () => {
    await build.start(); // back, as a follower
    expect((await leader())?.host).toBe("gpu-1");
    const stale = (await leader())!;
    const { id, dir } = startChainIn(gpu);
    await waitFor("the middle step to run", () => lines(join(dir, "two")).length > 0);
    const taskOfTwo = (await execution(id)).steps.two!.taskId;
    const pid = gpu.daemon!.pid!;
    const frozenAt = Date.now();
    process.kill(pid, "SIGSTOP");
    const next = await waitFor("build-1 to lead", async () => {
      const lease = await leader();
      return lease?.host === "build-1" ? lease : null;
    });
    const leadingAfter = next.since - frozenAt;
    console.log(`failover (leader frozen with SIGSTOP): build-1 leading after ${leadingAfter} ms`);
    process.kill(pid, "SIGCONT");
    const deposed = await waitFor("gpu-1 to step down", () => daemonLog(gpu, "leader.deposed").find((e) => e.term === stale.token));
    expect(String(deposed.reason)).toMatch(/^(no renewal confirmed for \d+ ms|host build-1 holds the lease now|refused a write)/);
    writeFileSync(join(dir, "two.go"), "");
    const done = await finished(id);
    expectEachStepRanOnce(done, dir);
    expect(done.steps.two!.taskId).toBe(taskOfTwo);
    // No write of the stale term landed: it recorded no step after it woke (its refusals, if any, are in its log).
    expect((await leader())?.host).toBe("build-1");
    const status = JSON.parse(build.cli(["status", "--json"]).stdout) as StatusJson;
    expect(status.hosts.map((h) => [h.name, h.state, h.leader])).toEqual([
      ["build-1", "up", true],
      ["gpu-1", "up", false],
    ]);
    recordHostFault("leader-frozen", {
      recoveryMs: leadingAfter,
      jobBackMs: null,
      ...stepCounts(done),
      notes: `a three-step workflow, frozen while its middle step ran; build-1 leading ${(leadingAfter / 1000).toFixed(2)} s after the freeze; the thawed leader stepped down (${String(deposed.reason).slice(0, 60)}); every step ran once`,
    });
  });

  it("hands the lease over at once when the leader stops with down", async () => {
    const before = (await leader())!;
    expect(build.cli(["down"]).exitCode).toBe(0);
    build.daemon = null;
    // Released, not left to expire: gpu-1's next round takes it (a round is a second, the lease three).
    const next = await waitFor("gpu-1 to lead", async () => {
      const lease = await leader();
      return lease?.host === "gpu-1" ? lease : null;
    });
    expect(daemonLog(build, "leader.released").map((e) => [e.term, e.released])).toEqual([[before.token, true]]);
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(before.token));
  });
});
