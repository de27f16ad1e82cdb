import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, NotFoundError, UsageError } from "../core/index.js";
import { workflowFromObject } from "./parse.js";
import { RedisExecutionStore } from "./redis-store.js";
import { newExecution } from "./transitions.js";
import type { ExecutionState, ExecutionStatus } from "./types.js";

let dir = "";
let server: ChildProcess | null = null;
const clients: Redis[] = [];

async function client(): Promise<Redis> {
  const redis = new Redis({ path: join(dir, "r.sock"), maxRetriesPerRequest: 1 });
  clients.push(redis);
  await redis.ping();
  return redis;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ca-wf-"));
  server = spawn("redis-server", ["--port", "0", "--unixsocket", join(dir, "r.sock"), "--save", "", "--daemonize", "no"], {
    stdio: "ignore",
  });
  for (let i = 0; i < 250; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const conn = createConnection({ path: join(dir, "r.sock") }, () => {
        conn.destroy();
        resolve(true);
      });
      conn.on("error", () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new Error("redis-server did not start");
});

afterAll(() => {
  for (const redis of clients) redis.disconnect();
  server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function execution(): ExecutionState {
  const wf = workflowFromObject(
    {
      name: "wf",
      steps: [
        { id: "a", agent: "x", task: "1" },
        { id: "b", agent: "x", task: "2" },
      ],
    },
    { file: "wf.yaml", agents: ["x"] },
  );
  counter += 1;
  return newExecution(`exec-${counter}`, wf, {}, new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString());
}

describe("RedisExecutionStore", () => {
  it("creates, reads and lists executions as JSON under <prefix>:wf:<id>, newest first", async () => {
    const redis = await client();
    const store = new RedisExecutionStore(redis, "t1");
    const first = execution();
    const second = execution();
    await store.create(first);
    await store.create(second);
    expect(await store.get(first.id)).toEqual(first);
    expect(await store.get("missing")).toBeNull();
    expect(JSON.parse((await redis.get(`t1:wf:${first.id}`)) ?? "null")).toEqual(first);
    expect(await redis.zrange("t1:wfs", 0, -1)).toEqual([first.id, second.id]);
    expect((await store.list()).map((s) => s.id)).toEqual([second.id, first.id]);
    expect((await store.running()).sort()).toEqual([first.id, second.id].sort());
    await store.update(first.id, (s) => void (s.status = "completed"));
    expect(await store.running()).toEqual([second.id]);
    await expect(store.create(first)).rejects.toThrow(UsageError);
    await expect(store.update("missing", () => undefined)).rejects.toThrow(NotFoundError);
  });

  it("keeps every one of many concurrent updates to two steps from two connections", async () => {
    const [one, two] = [await client(), await client()];
    const state = execution();
    await new RedisExecutionStore(one, "t2").create(state);
    const stores = [new RedisExecutionStore(one, "t2"), new RedisExecutionStore(two, "t2")];
    const rounds = 25;
    const bump = (stepId: string, i: number) =>
      stores[i % 2]?.update(state.id, (s) => {
        const st = s.steps[stepId];
        if (st !== undefined) st.attempts += 1;
        s.completionOrder.push(`${stepId}${i}`);
      });
    await Promise.all(Array.from({ length: rounds }, (_, i) => [bump("a", i), bump("b", i)]).flat());
    const final = await stores[0]?.get(state.id);
    expect(final?.steps.a?.attempts).toBe(rounds);
    expect(final?.steps.b?.attempts).toBe(rounds);
    expect(final?.completionOrder).toHaveLength(2 * rounds);
  });

  it("rejects a stored record that does not have the execution's shape", async () => {
    const redis = await client();
    await redis.set("t3:wf:bad", JSON.stringify({ id: "bad", status: "exploded" }));
    const store = new RedisExecutionStore(redis, "t3");
    await expect(store.get("bad")).rejects.toThrow(ConfigError);
    await expect(store.get("bad")).rejects.toThrow(/t3:wf:bad: status/);
  });
});

describe("RedisExecutionStore retention", () => {
  const DAY = 24 * 3600 * 1000;
  const NOW = Date.UTC(2025, 5, 1);
  const policy = { completedMs: 7 * DAY, failedMs: 30 * DAY, maxExecutions: 100 };
  let prefix = 0;

  async function freshStore(): Promise<{ redis: Redis; store: RedisExecutionStore }> {
    const redis = await client();
    prefix += 1;
    return { redis, store: new RedisExecutionStore(redis, `ret${prefix}`) };
  }

  /** A new execution with `status`; unless running, it finished `finishedDaysAgo` days before NOW. */
  async function add(store: RedisExecutionStore, status: ExecutionStatus, finishedDaysAgo: number): Promise<string> {
    const state = execution();
    await store.create(state);
    if (status !== "running") {
      await store.update(state.id, (s) => {
        s.status = status;
        s.finishedAt = new Date(NOW - finishedDaysAgo * DAY).toISOString();
      });
    }
    return state.id;
  }

  const ids = async (store: RedisExecutionStore): Promise<string[]> => (await store.list()).map((s) => s.id).sort();

  it("forgets completed executions after `completed` and failed or cancelled ones after `failed`, from when they finished; never a running one", async () => {
    const { redis, store } = await freshStore();
    const oldCompleted = await add(store, "completed", 8);
    const recentCompleted = await add(store, "completed", 6);
    const failedMidway = await add(store, "failed", 8);
    const oldFailed = await add(store, "failed", 31);
    const oldCancelled = await add(store, "cancelled", 31);
    const cancelledMidway = await add(store, "cancelled", 29);
    const running = await add(store, "running", 0);
    // A running execution created long ago is still kept, whatever its age.
    await redis.zadd(store.indexKey, NOW - 400 * DAY, running);

    expect(await store.expire(policy, NOW)).toBe(3);
    expect(await ids(store)).toEqual([recentCompleted, failedMidway, cancelledMidway, running].sort());
    for (const gone of [oldCompleted, oldFailed, oldCancelled]) {
      expect(await store.get(gone)).toBeNull();
      expect(await redis.exists(store.key(gone))).toBe(0);
    }
    // Nothing left behind in the indexes.
    expect((await redis.zrange(store.indexKey, 0, -1)).sort()).toEqual([recentCompleted, failedMidway, cancelledMidway, running].sort());
    expect(await redis.zrange(store.completedKey, 0, -1)).toEqual([recentCompleted]);
    expect((await redis.zrange(store.failedKey, 0, -1)).sort()).toEqual([failedMidway, cancelledMidway].sort());
    expect(await store.running()).toEqual([running]);
    expect(await store.expire(policy, NOW)).toBe(0);
  });

  it("honours the configured times: one day for completed and two for failed ones", async () => {
    const { store } = await freshStore();
    const completed = await add(store, "completed", 1.5);
    const failed = await add(store, "failed", 1.5);
    expect(await store.expire({ completedMs: DAY, failedMs: 2 * DAY, maxExecutions: 100 }, NOW)).toBe(1);
    expect(await store.get(completed)).toBeNull();
    expect(await store.get(failed)).not.toBeNull();
  });

  it("keeps at most maxExecutions, dropping the oldest finished ones first and never a running one", async () => {
    const { store } = await freshStore();
    const oldestRunning = await add(store, "running", 0);
    const finishedFirst = await add(store, "failed", 3);
    const finishedThird = await add(store, "completed", 1);
    const finishedSecond = await add(store, "cancelled", 2);
    const finishedLast = await add(store, "completed", 0.5);
    const running = await add(store, "running", 0);

    expect(await store.expire({ ...policy, maxExecutions: 4 }, NOW)).toBe(2);
    expect(await ids(store)).toEqual([oldestRunning, finishedThird, finishedLast, running].sort());
    expect(await store.get(finishedFirst)).toBeNull();
    expect(await store.get(finishedSecond)).toBeNull();

    // Fewer than maxExecutions left to remove: running ones stay even over the limit.
    expect(await store.expire({ ...policy, maxExecutions: 1 }, NOW)).toBe(2);
    expect(await ids(store)).toEqual([oldestRunning, running].sort());
  });

  it("removes by age and by count in one pass without counting an execution twice", async () => {
    const { store } = await freshStore();
    await add(store, "completed", 10); // too old
    await add(store, "completed", 9); // too old
    const second = await add(store, "completed", 2);
    const third = await add(store, "completed", 1);
    expect(await store.expire({ ...policy, maxExecutions: 1 }, NOW)).toBe(3);
    expect(await ids(store)).toEqual([third]);
    expect(await store.get(second)).toBeNull();
  });

  it("never removes an execution that is running again by the time it is removed", async () => {
    const { redis, store } = await freshStore();
    const id = await add(store, "completed", 10);
    // As if it became running between the index read and the removal.
    await redis.sadd(store.runningKey, id);
    expect(await store.expire(policy, NOW)).toBe(0);
    expect(await store.get(id)).not.toBeNull();
  });

  it("expires finished executions stored before the finished indexes existed, once the daemon indexed them", async () => {
    const { redis, store } = await freshStore();
    const id = await add(store, "failed", 40);
    const recent = await add(store, "completed", 1);
    await redis.del(store.completedKey, store.failedKey); // a store written by an older version
    expect(await store.expire(policy, NOW)).toBe(0);
    const finishedAt = new Date(NOW - 40 * DAY).toISOString();
    await store.indexFinished([
      { id, status: "failed", finishedAt },
      { id: recent, status: "completed", finishedAt: new Date(NOW - DAY).toISOString() },
    ]);
    expect(await store.expire(policy, NOW)).toBe(1);
    expect(await ids(store)).toEqual([recent]);
  });
});
