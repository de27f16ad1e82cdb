/**
 * Issue 16, partitions: both hosts of a swarm cut off from Redis at once.
 * Two simulated hosts (two homes, each its own tmux server and daemon, one
 * real redis-server with a password), each reaching Redis through a TCP
 * proxy of its own (tcp-proxy.ts). Both links are cut as a blackhole (no
 * byte passes, nothing is closed) while each host runs tasks, for longer
 * than a job's lock but shorter than a host's lease, while the test keeps
 * submitting directly. No host can take the other's jobs over meanwhile, and
 * when both links come back each host's held writes, lock renewals and
 * stalled checks reach Redis together: every task must be recorded once,
 * completed, and the swarm must have one leader again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm, TaskHandle } from "../../client/index.js";
import { isTerminal } from "../../core/index.js";
import { waitFor } from "../helpers/wait.js";
import { lines, sleep } from "../faults/support.js";
import { recordHostFault } from "./fault-rows.js";
import { startTwoHostsBehindProxies, type TwoHostsBehindProxies, connectTestClients, type TestClients } from "./support.js";

const SWARM = `partition-both-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: {}
  gpu-1: {}
agents:
  - { name: api, runtime: shell, replicas: 4, hosts: [build-1, gpu-1], timeout: 120 }
`;
// A job's lock expires 3 s after its last renewal; each host's stalled check looks every second.
const TUNING = JSON.stringify({ lockDurationMs: 3000, stalledIntervalMs: 1000 });
/** Past the lock (3 s), under the host's lease (30 s). */
const CUT_MS = 20_000;

describe("both hosts' links to Redis cut at once", { timeout: 240_000 }, () => {
  let pair: TwoHostsBehindProxies;
  let redis: Redis;
  let client: Swarm;
  let clients: TestClients | undefined;
  const dir = mkdtempSync(join(tmpdir(), "ca-partition-both-"));

  beforeAll(async () => {
    pair = await startTwoHostsBehindProxies(YAML, "partition-both-pw", { CLAUDE_AGENT_TUNING: TUNING });
    clients = await connectTestClients(pair);
    ({ redis, client } = clients);
  }, 150_000);
  afterAll(async () => {
    await clients?.close();
    await pair?.stop(); // restores any link still cut first, so each host hears `down`
    rmSync(dir, { recursive: true, force: true });
  });

  it("records every task once, completed, when both links are cut mid-task and restored, and has one leader again", async () => {
    const runs = join(dir, "runs");
    const submitted: TaskHandle[] = [];
    const submit = async (i: number) => submitted.push(await client.submit({ agent: "api", task: `sleep 5; echo ${i} >> ${runs}` }));
    // Four running, one per session, on both hosts (5 s each: all four are caught running on a loaded machine).
    for (let i = 0; i < 4; i++) await submit(i);
    const record = (id: string) => redis.hgetall(`ca-${SWARM}:task:${id}`);
    await waitFor("the four tasks to run, on both hosts", async () => {
      const records = await Promise.all(submitted.map((task) => record(task.id)));
      return records.every((r) => r.status === "running") && new Set(records.map((r) => r.host)).size === 2;
    });

    const cutAt = Date.now();
    await Promise.all([pair.links.build.cut({ mode: "blackhole" }), pair.links.gpu.cut({ mode: "blackhole" })]);
    // Accepted meanwhile: the submitter reaches Redis, no host does.
    for (let i = 4; i < 8; i++) await submit(i);
    await sleep(CUT_MS - (Date.now() - cutAt));
    await Promise.all([pair.links.build.restore(), pair.links.gpu.restore()]);
    const restoredAt = Date.now();

    const ids = submitted.map((task) => task.id);
    await waitFor("every task to end", async () => (await Promise.all(ids.map(record))).every((r) => r.status && isTerminal(r.status)), {
      timeoutMs: 90_000,
      everyMs: 250,
    });
    const doneAfter = Date.now() - restoredAt;
    const records = await Promise.all(ids.map(record));
    expect(records.filter((r) => r.status !== "completed" || r.exitCode !== "0").map((r) => `${r.id}: ${r.status} ${r.reason ?? ""}`)).toEqual([]);
    // Each recorded once: one terminal event per task, and the ledger holds the tasks submitted, no more.
    const terminal = new Map<string, number>();
    for (const event of await client.client.events.recent(10_000))
      if (event.taskId && event.type.startsWith("task.") && isTerminal(event.type.slice(5))) terminal.set(event.taskId, (terminal.get(event.taskId) ?? 0) + 1);
    expect(ids.filter((id) => terminal.get(id) !== 1)).toEqual([]);
    expect(await redis.zcard(`ca-${SWARM}:tasks`)).toBe(ids.length);
    // Every command ran; one running when the links were cut ran on, and may have run again after its lock expired.
    const runsOf = new Map<number, number>();
    for (const line of lines(runs)) runsOf.set(Number(line), (runsOf.get(Number(line)) ?? 0) + 1);
    expect(ids.map((_, i) => i).filter((i) => !runsOf.has(i))).toEqual([]);
    const twice = [...runsOf].filter(([, n]) => n > 1).map(([i]) => i);
    expect(twice.every((i) => i < 4)).toBe(true);
    expect([...runsOf.values()].every((n) => n <= 2)).toBe(true);

    // One leader again, and every session back to idle on its own host, none doubled.
    const status = await waitFor(
      "a leader and every session idle",
      () => {
        const run = pair.build.cli(["status", "--json"]);
        const json = JSON.parse(run.stdout || "null") as { leader: { host: string } | null; sessions: { name: string; host: string; state: string }[] } | null;
        return json?.leader && json.sessions.every((s) => s.state === "idle") ? json : null;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    expect(["build-1", "gpu-1"]).toContain(status.leader!.host);
    expect(status.sessions.map((s) => s.name).sort()).toEqual(["api-1", "api-2", "api-3", "api-4"]);

    const attemptsTwo = records.filter((r) => r.attempts !== "1").length;
    recordHostFault("both-cut", {
      recoveryMs: null,
      jobBackMs: null,
      submitted: ids.length,
      completed: records.filter((r) => r.status === "completed").length,
      failed: records.filter((r) => r.status !== "completed").length,
      lost: 0,
      duplicates: ids.filter((id) => (terminal.get(id) ?? 0) > 1).length,
      notes: `two hosts, both links cut ${CUT_MS / 1000} s with 4 tasks running and 4 submitted during the cut; all recorded ${(doneAfter / 1000).toFixed(1)} s after the restore; ${attemptsTwo} dispatched again, ${twice.length} commands ran twice; leader ${status.leader!.host}`,
    });
    console.log(
      `both links cut ${CUT_MS} ms: all ${ids.length} tasks recorded ${doneAfter} ms after the restore; ${attemptsTwo} dispatched more than once, ${twice.length} commands ran twice; leader ${status.leader!.host}`,
    );
  });
});
