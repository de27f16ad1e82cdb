import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal, startEmbeddedRedis } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, lines, sleep, terminalEvents, terminalRecord, until } from "./support.js";

/**
 * The embedded Redis is shut down (AOF keeps the data) and started again
 * while a batch of tasks is being worked through. The daemon stays up the
 * whole time and must reconnect by itself: every accepted task reaches one
 * terminal state, recorded once, each command ran once, and the BullMQ
 * workers go on consuming (some stop consuming after a Redis reconnect:
 * bullmq issues #2466, #4378, #4585).
 */
describe("a restart of the embedded Redis during a batch", () => {
  let swarm: TestSwarm;
  let client: Swarm;

  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  const agents = ["alpha", "beta", "alpha"] as const;

  it("loses no accepted task, records each once, runs each once, and keeps consuming new work afterwards", async () => {
    const runs = join(swarm.home, "runs");
    const batch = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.submit({ task: `echo ${i} >> ${runs}; sleep 0.2; echo task-${i}`, agent: agents[i % 3] })),
    );

    // Restart Redis in the middle of the batch: some tasks done, some running, most still queued.
    await until(
      "a few tasks to finish",
      async () => {
        const records = await Promise.all(batch.map((t) => client.client.get(t.id)));
        return records.filter((r) => isTerminal(r.status)).length >= 5;
      },
      20_000,
    );
    const downAt = Date.now();
    execFileSync("redis-cli", ["-s", swarm.paths.redisSocket, "shutdown"], { stdio: "ignore" });
    await until(
      "redis to be down",
      () => {
        try {
          execFileSync("redis-cli", ["-s", swarm.paths.redisSocket, "ping"], { stdio: "ignore" });
          return false;
        } catch {
          return true;
        }
      },
      10_000,
    );
    // Long enough for running commands to end (and fail to be recorded) while Redis is gone.
    await sleep(1000);
    const { reused } = await startEmbeddedRedis(swarm.paths);
    expect(reused).toBe(false);
    const upAt = Date.now();

    const results = await Promise.all(batch.map((t) => terminalRecord(client, t.id, 45_000)));
    const doneAt = Date.now();
    console.log(`[redis-restart] redis down ${upAt - downAt} ms; whole batch recorded ${doneAt - upAt} ms after redis came back`);
    results.forEach((result, i) => {
      expect(result, `task ${i}`).toMatchObject({ id: batch[i]!.id, status: "completed", exitCode: 0, output: `task-${i}\n`, agent: agents[i % 3] });
    });
    for (const task of batch) expect(await terminalEvents(client, task.id), `terminal events of ${task.id}`).toHaveLength(1);
    expect(
      lines(runs)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(swarm.daemon?.exitCode).toBeNull();

    // The bridge's workers resume consuming by themselves, on every agent's queue.
    const t0 = Date.now();
    const fresh = await Promise.all(Array.from({ length: 6 }, (_, i) => client.submit({ task: `echo after-${i}`, agent: agents[i % 3] })));
    const after = await Promise.all(fresh.map((t) => terminalRecord(client, t.id, 15_000)));
    console.log(`[redis-restart] 6 new tasks after the restart recorded in ${Date.now() - t0} ms`);
    after.forEach((result, i) => expect(result).toMatchObject({ status: "completed", output: `after-${i}\n` }));
  }, 90_000);

  it("runs a job once when Redis stays down longer than the job's 10 s lock while it runs (BullMQ alone would run it again)", async () => {
    const runs = join(swarm.home, "long-outage-runs");
    const { id } = await client.submit({ task: `echo run >> ${runs}; sleep 2; echo survived`, agent: "beta" });
    await until("the job to start", () => lines(runs).length === 1);
    await until("the ledger to show it running", async () => (await client.client.get(id)).status === "running");

    const downAt = Date.now();
    execFileSync("redis-cli", ["-s", swarm.paths.redisSocket, "shutdown"], { stdio: "ignore" });
    // The job ends in its pane while Redis is gone; its lock's 10 s run out meanwhile.
    await sleep(12_000);
    await startEmbeddedRedis(swarm.paths);
    const upAt = Date.now();

    const result = await terminalRecord(client, id, 40_000);
    console.log(`[redis-restart] redis down ${upAt - downAt} ms; the job's result recorded ${Date.parse(result.finishedAt!) - upAt} ms after redis came back`);
    expect(result).toMatchObject({ status: "completed", exitCode: 0, output: "survived\n", session: "beta-1" });
    expect(lines(runs)).toEqual(["run"]);
    expect(await terminalEvents(client, id)).toHaveLength(1);
    expect(swarm.daemon?.exitCode).toBeNull();

    const next = await client.submit({ task: "echo still-consuming", agent: "beta" });
    expect(await terminalRecord(client, next.id, 15_000)).toMatchObject({ status: "completed", output: "still-consuming\n" });
    // A later re-delivery of the stale job must not run it again either.
    await sleep(500);
    expect(lines(runs)).toEqual(["run"]);
  }, 90_000);
});
