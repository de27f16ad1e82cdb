/**
 * The client's wait for a task's end, against a real redis-server: one blocking read of the event stream for
 * every waiter, then the record of the task that ended.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Ledger, type TaskRecord } from "../core/index.js";
import { startPrivateRedis, type PrivateRedis } from "../test/helpers/private-redis.js";
import { taskRecord } from "../test/helpers/task-record.js";
import { waitFor } from "../test/helpers/wait.js";
import { TaskWatcher } from "./task-watcher.js";

/** A ledger whose record reads fail for the reads numbered in `failing` (1 is the first): Redis away for a moment. */
class FlakyLedger extends Ledger {
  reads = 0;
  failing = new Set<number>();

  override async get(id: string): Promise<TaskRecord | null> {
    this.reads += 1;
    if (this.failing.has(this.reads)) throw new Error("Connection is closed.");
    return super.get(id);
  }
}

describe("waiting for a task to end", () => {
  let server: PrivateRedis;
  let watcher: TaskWatcher | null = null;
  afterEach(() => {
    watcher?.close();
    server?.close();
  });

  async function start(prefix: string): Promise<{ ledger: FlakyLedger; watcher: TaskWatcher }> {
    server = await startPrivateRedis("watcher");
    const ledger = new FlakyLedger(server.redis, prefix);
    watcher = new TaskWatcher(server.redis.duplicate(), ledger);
    return { ledger, watcher };
  }

  it("answers the record once the task ends", async () => {
    const { ledger, watcher } = await start("ca-w1");
    await ledger.create(taskRecord({ id: "t-1" }));
    const ended = watcher.wait("t-1", AbortSignal.timeout(10_000));
    await ledger.finish("t-1", "completed", { exitCode: 0, output: "done" });
    expect(await ended).toMatchObject({ id: "t-1", status: "completed", output: "done" });
  });

  it("reads the record again when the read after its end event fails, rather than waiting for ever", async () => {
    const { ledger, watcher } = await start("ca-w2");
    await ledger.create(taskRecord({ id: "t-2" }));
    // Read 1 is the wait's own (the task still queued); reads 2 and 3, after the end event, fail.
    ledger.failing = new Set([2, 3]);
    const ended = watcher.wait("t-2", AbortSignal.timeout(10_000));
    await waitFor("the wait's own read", () => ledger.reads === 1);
    await ledger.finish("t-2", "failed", { exitCode: 3, output: "boom" });
    expect(await ended).toMatchObject({ id: "t-2", status: "failed", exitCode: 3 });
    expect(ledger.reads).toBe(4);
  });
});
