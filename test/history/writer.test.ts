/**
 * The history writer against a real Redis and real stores: it copies what
 * the stream and the ledger hold, outlives Redis's retention and a flush,
 * waits out a PostgreSQL outage with nothing lost, and rebuilds a damaged or
 * deleted SQLite file from what Redis still holds, saying so.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { canMountTmpfs } from "../helpers/mount.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeHistoryWriter, keys, makeRedactor, readHistoryWriterState, toEvent } from "../../core/index.js";
import { History, HistoryWriter, sqliteTarget, type StoreTarget } from "../../history/index.js";
import { startPostgres, type TestPostgres } from "./postgres.js";
import { startRedisHome, type RedisHome } from "./support.js";
import { waitFor } from "../helpers/wait.js";

let home: RedisHome;
let writer: HistoryWriter | null = null;
const redact = makeRedactor([]);

beforeEach(async () => {
  home = await startRedisHome();
});
afterEach(async () => {
  await writer?.close();
  writer = null;
  await home.close();
});

async function startWriter(target: StoreTarget): Promise<HistoryWriter> {
  writer = await HistoryWriter.start({ target, redis: home.redis, connect: home.connect, redact, blockMs: 200, minBackoffMs: 100, maxBackoffMs: 1000 });
  return writer;
}

async function storedStatus(target: StoreTarget, id: string): Promise<string | null> {
  const history = await History.at(target);
  try {
    return (await history.task(id))?.status ?? null;
  } finally {
    await history.close();
  }
}

async function streamTypes(): Promise<string[]> {
  return (await home.redis.xrange("ca:events", "-", "+")).map((entry) => toEvent(entry as [string, string[]]).type);
}

describe("the history writer's state, as status and doctor read it", () => {
  it("is off until a writer reads the stream, then ok with its backlog", async () => {
    expect(await readHistoryWriterState(home.redis, keys("ca"))).toEqual({
      state: "off",
      since: null,
      error: null,
      behind: null,
      pending: 0,
      lastReadMs: null,
    });
    await startWriter(sqliteTarget(home.paths.root));
    const id = await home.submit("echo state");
    await home.finish(id, "completed", "state\n");
    const state = await waitFor("the writer caught up", async () => {
      const now = await readHistoryWriterState(home.redis, keys("ca"));
      return now.behind === 0 && now.pending === 0 ? now : null;
    });
    expect(state).toMatchObject({ state: "ok", since: null, error: null });
    expect(state.lastReadMs).toBeGreaterThanOrEqual(0);
  });
});

describe("the history writer on SQLite", () => {
  it("records every task with its events and who submitted it, and keeps them after Redis's retention removed them", async () => {
    const target = sqliteTarget(home.paths.root);
    await startWriter(target);
    const ok = await home.submit("echo ok", { origin: { actor: "ann@laptop", via: "cli" } });
    const bad = await home.submit("exit 3");
    await home.finish(ok, "completed", "ok\n");
    await home.finish(bad, "failed", "boom\n", 3);
    await waitFor("the failed task in the store", async () => (await storedStatus(target, bad)) === "failed");
    await home.ledger.remove([ok, bad]); // what the sweeper does past retention
    const history = await History.at(target);
    const task = await history.task(ok);
    expect(task).toMatchObject({ status: "completed", exitCode: 0, output: "ok\n", submittedBy: "ann@laptop", submittedVia: "cli", session: "alpha-1" });
    expect((await history.events(ok)).map((e) => e.type)).toEqual(["task.submitted", "task.started", "task.completed"]);
    expect(await home.ledger.get(ok)).toBeNull();
    await history.close();
  });

  it("waits out its backoff when its consumer group cannot be made again, rather than trying in a tight loop", async () => {
    const target = sqliteTarget(home.paths.root);
    const failures: unknown[] = [];
    writer = await HistoryWriter.start({
      target,
      redis: home.redis,
      connect: home.connect,
      redact,
      blockMs: 200,
      minBackoffMs: 100,
      maxBackoffMs: 1000,
      log: (event, fields) => void (event === "history.group.recreate-failed" && failures.push(fields)),
    });
    // The stream goes (its group with it), and this Redis user may no longer make a group: NOPERM.
    await home.redis.call("ACL", "SETUSER", "default", "-xgroup");
    try {
      await home.redis.del("ca:events");
      await waitFor("the first failed attempt", () => failures.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // With a backoff from 100 ms doubling to 1 s: a handful of attempts (without one: thousands).
      expect(failures.length).toBeLessThan(15);
    } finally {
      await home.redis.call("ACL", "SETUSER", "default", "+xgroup");
    }
    // Allowed again, it makes the group and goes on writing.
    const id = await home.submit("echo again");
    await home.finish(id, "completed", "again\n");
    await waitFor("a task after the group came back", async () => (await storedStatus(target, id)) === "completed");
  });

  it("carries on after FLUSHALL: what was written stays, new tasks are written", async () => {
    const target = sqliteTarget(home.paths.root);
    await startWriter(target);
    const before = await home.submit("echo before");
    await home.finish(before, "completed", "before\n");
    await waitFor("the task before the outage in the store", async () => (await storedStatus(target, before)) === "completed");
    await home.redis.flushall();
    const after = await home.submit("echo after");
    await home.finish(after, "completed", "after\n");
    await waitFor("the task submitted after the flush", async () => (await storedStatus(target, after)) === "completed");
    expect(await storedStatus(target, before)).toBe("completed");
  });

  it("backfills on start what Redis holds, including tasks whose events were trimmed from the stream", async () => {
    const id = await home.submit("echo early");
    await home.finish(id, "completed", "early\n");
    await home.redis.del("ca:events");
    const target = sqliteTarget(home.paths.root);
    await startWriter(target);
    await waitFor("the backfilled task", async () => (await storedStatus(target, id)) === "completed");
  });

  it("moves a damaged file aside, rebuilds it from Redis, and says so on the event stream", async () => {
    const target = sqliteTarget(home.paths.root);
    const id = await home.submit("echo survivor");
    await home.finish(id, "completed", "survivor\n");
    mkdirSync(`${home.paths.root}/history`, { recursive: true });
    writeFileSync((target as { file: string }).file, "this is not a database, it was overwritten\n".repeat(200));
    await startWriter(target);
    await waitFor("history.rebuilt", async () => (await streamTypes()).includes("history.rebuilt"));
    await waitFor("the rebuilt task", async () => (await storedStatus(target, id)) === "completed");
    const dir = readdirSync(`${home.paths.root}/history`);
    expect(dir.some((name) => name.startsWith("history.db.damaged-"))).toBe(true);
  });

  it("notices the file deleted under it, rebuilds it, and keeps writing", async () => {
    const target = sqliteTarget(home.paths.root);
    const file = (target as { file: string }).file;
    await startWriter(target);
    const first = await home.submit("echo first");
    await home.finish(first, "completed", "first\n");
    await waitFor("the first task in the store", async () => (await storedStatus(target, first)) === "completed");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    const second = await home.submit("echo second");
    await home.finish(second, "completed", "second\n");
    await waitFor("the task after the deletion", async () => existsSync(file) && (await storedStatus(target, second)) === "completed");
    expect(await storedStatus(target, first)).toBe("completed"); // rebuilt from the ledger
    expect(await streamTypes()).toContain("history.rebuilt");
  });
});

describe.skipIf(!canMountTmpfs())("the history writer on a full disk (a 1 MB tmpfs over the history folder)", () => {
  let dir = "";
  afterEach(async () => {
    await writer?.close(); // it holds the file open: the mount would be busy
    writer = null;
    if (dir) spawnSync("umount", [dir]);
    dir = "";
  });

  it("keeps tasks waiting in Redis while the disk is full, reports the gap, and fills it when there is room again", async () => {
    dir = `${home.paths.root}/history`;
    mkdirSync(dir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]);
    const target = sqliteTarget(home.paths.root);
    await startWriter(target);
    const first = await home.submit("echo first");
    await home.finish(first, "completed", "first\n");
    await waitFor("the first task in the store", async () => (await storedStatus(target, first)) === "completed");
    const filler = `${dir}/filler`;
    spawnSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k", "count=1000"]); // stops at ENOSPC
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = await home.submit(`echo diskfull ${i}`);
      await home.finish(id, "completed", `${"x".repeat(30_000)} diskfull ${i}\n`);
      ids.push(id);
    }
    await waitFor("history.degraded", async () => (await streamTypes()).includes("history.degraded"));
    expect(((await home.redis.xpending("ca:events", "history")) as [number])[0]).toBeGreaterThan(0);
    rmSync(filler);
    await waitFor("history.recovered", async () => (await streamTypes()).includes("history.recovered"), { timeoutMs: 30_000 });
    for (const id of ids) await waitFor(`task ${id}`, async () => (await storedStatus(target, id)) === "completed");
  });
});

describe("the history writer on PostgreSQL", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 600_000);
  afterAll(() => pg?.destroy());

  it("keeps events pending while PostgreSQL is down, reports it, and writes every one once it is back", async () => {
    const target: StoreTarget = { kind: "postgres", url: pg.url };
    await startWriter(target);
    const first = await home.submit("echo first");
    await home.finish(first, "completed", "first\n");
    await waitFor("the first task in the store", async () => (await storedStatus(target, first)) === "completed");
    pg.stop();
    const during: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = await home.submit(`echo outage ${i}`);
      await home.finish(id, i % 2 === 0 ? "completed" : "failed", `outage ${i}\n`);
      during.push(id);
    }
    await waitFor("history.degraded", async () => (await streamTypes()).includes("history.degraded"));
    await new Promise((resolve) => setTimeout(resolve, 8000)); // several retries, the backoff at its ceiling
    const pending = (await home.redis.xpending("ca:events", "history")) as [number];
    expect(pending[0]).toBeGreaterThan(0);
    // What status, doctor and /health read: degraded since the outage began, with the store's error and the backlog.
    const down = await readHistoryWriterState(home.redis, keys("ca"));
    expect(down).toMatchObject({ state: "degraded", since: expect.stringMatching(/^\d{4}-/), error: expect.any(String) });
    expect(down.pending + (down.behind ?? 0)).toBeGreaterThan(0);
    expect(describeHistoryWriter(down)).toMatch(/^DEGRADED since \S+: .+; \d+ event\(s\) behind, \d+ read but not yet written; last read \d+ s ago$/);
    pg.start();
    await waitFor("history.recovered", async () => (await streamTypes()).includes("history.recovered"), { timeoutMs: 30_000 });
    const history = await History.at(target);
    await waitFor("all 20 tasks", async () => (await history.tasks({ search: "outage", limit: 100 })).items.length === 20, { timeoutMs: 30_000 });
    for (const [i, id] of during.entries()) expect((await history.task(id))?.status).toBe(i % 2 === 0 ? "completed" : "failed");
    expect((await history.events(during[19]!)).map((e) => e.type)).toEqual(["task.submitted", "task.started", "task.failed"]);
    await history.close();
    await waitFor("nothing pending", async () => ((await home.redis.xpending("ca:events", "history")) as [number])[0] === 0);
    expect(await readHistoryWriterState(home.redis, keys("ca"))).toMatchObject({ state: "ok", since: null, error: null, pending: 0 });
  });
});
