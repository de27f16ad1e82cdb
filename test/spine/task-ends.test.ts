/**
 * A task that ends in the process that waits for it (the daemon's API waiting
 * on its own bridge: `POST /v1/tasks?wait=`) settles the wait from the record
 * the ledger read back in the transaction that ended it: no blocking read of
 * the event stream to wait for, no second read of the record.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger, TaskEnds, type SwarmConfig, type TaskRecord } from "../../core/index.js";
import { SwarmClient } from "../../client/index.js";
import { startRedisHome, type RedisHome } from "../history/support.js";

describe("tasks that end in this process", () => {
  let home: RedisHome;
  let elsewhere: RedisHome;
  beforeAll(async () => {
    [home, elsewhere] = await Promise.all([startRedisHome(), startRedisHome()]);
  });
  afterAll(async () => {
    await Promise.all([home?.close(), elsewhere?.close()]);
  });

  it("are told once, as the ledger recorded them, and only when they end", async () => {
    const ends = new TaskEnds();
    const told: TaskRecord[] = [];
    const stop = ends.listen((record) => told.push(record));
    const ledger = new Ledger(home.redis, "ca", { ends });
    const id = await home.submit("echo hi");
    await ledger.update(id, { status: "running", startedAt: new Date().toISOString(), session: "alpha-1", attempts: 1 });
    expect(told).toEqual([]);

    expect(await ledger.finish(id, "completed", { exitCode: 0, output: "hi", finishedAt: new Date().toISOString(), durationMs: 3 }, "alpha")).toBe(true);
    expect(told).toEqual([await ledger.get(id)]);
    expect(told[0]).toMatchObject({ id, status: "completed", output: "hi", exitCode: 0 });

    // Already ended: the script changes nothing, and nobody is told again.
    expect(await ledger.finish(id, "failed", { exitCode: 1, output: "late", finishedAt: new Date().toISOString() }, "alpha")).toBe(false);
    expect(told).toHaveLength(1);

    stop();
    const other = await home.submit("echo again");
    await ledger.finish(other, "completed", { exitCode: 0, output: "", finishedAt: new Date().toISOString() }, "alpha");
    expect(told).toHaveLength(1);
  });

  it("settle a client's wait though its event stream never carries the end", { timeout: 15_000 }, async () => {
    const ends = new TaskEnds();
    // The client's blocking reads go to another Redis, whose event stream stays empty: only the
    // in-process record can settle the wait.
    const client = new SwarmClient(home.redis, { agents: [] } as unknown as SwarmConfig, () => elsewhere.connect("blind-watcher"), "ca", { ends });
    const bridgeLedger = new Ledger(home.connect("bridge"), "ca", { ends });
    try {
      const id = await home.submit("echo hi");
      const waited = client.result(id, { wait: true });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the waiter registered, its first read done
      await bridgeLedger.finish(id, "completed", { exitCode: 0, output: "from the bridge", finishedAt: new Date().toISOString() }, "alpha");
      await expect(waited).resolves.toMatchObject({ id, status: "completed", output: "from the bridge" });
    } finally {
      await client.close();
    }
  });

  it("a wait without them still settles from the event stream", async () => {
    const client = new SwarmClient(home.redis, { agents: [] } as unknown as SwarmConfig, () => home.connect("watcher"), "ca");
    try {
      const id = await home.submit("echo hi");
      const waited = client.result(id, { wait: true });
      await home.finish(id, "completed", "through redis");
      await expect(waited).resolves.toMatchObject({ id, status: "completed", output: "through redis" });
    } finally {
      await client.close();
    }
  });
});
