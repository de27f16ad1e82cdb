/**
 * A dispatch's end, written once: the result, its event and the state of the
 * session it frees go to Redis in one transaction, and the record read to
 * check the dispatch is still the task's current one serves the write too.
 * Against a real Redis, with the bridge's own TaskRecords.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskRecords } from "../../bridge/dispatch/task-records.js";
import { SessionStates, type AgentSession } from "../../bridge/sessions/index.js";
import { DispatchFencedError, keys, type TaskRecord } from "../../core/index.js";
import { startRedisHome, type RedisHome } from "../history/support.js";

describe("the end of a dispatch", () => {
  let home: RedisHome;
  let records: TaskRecords;
  let jobsDir: string;
  const sessionKey = (name: string) => keys("ca").session(name);

  beforeAll(async () => {
    home = await startRedisHome();
    jobsDir = mkdtempSync(join(tmpdir(), "ca-result-tx-"));
    records = new TaskRecords({
      ledger: home.ledger,
      jobsDir,
      pools: new Map(),
      states: new SessionStates(home.redis, keys("ca"), "build-1"),
      recorder: null,
      host: null,
      redact: (text) => text,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await home?.close();
    if (jobsDir) rmSync(jobsDir, { recursive: true, force: true });
  });

  /** A task dispatched (attempt 1) into `session`, as the write-ahead leaves it. */
  const dispatched = async (session: string): Promise<TaskRecord> => {
    const id = await home.submit("true");
    await records.writeAhead(id, { dispatch: `${id}-1`, session, pane: "%1:1", attempts: 1 }, 0);
    return (await home.ledger.get(id))!;
  };
  /** The in-memory session a pool would hand back once freed (only what its published state is made of). */
  const freedSession = (name: string): AgentSession =>
    ({ name, agent: "alpha", state: "idle", currentTask: null, completed: 1, failed: 0, restarts: 0, startedAt: null }) as unknown as AgentSession;

  it("publishes the freed session with the result: whoever sees the task end finds the session idle", async () => {
    const record = await dispatched("alpha-1");
    await home.redis.hset(sessionKey("alpha-1"), { name: "alpha-1", state: "busy", currentTask: record.id });
    // A reader of the event stream, as `status` after `result()` or the dashboard would be.
    const reader = home.connect("reader");
    const last = (await home.redis.xrevrange("ca:events", "+", "-", "COUNT", 1))[0]?.[0] ?? "0";
    const sawEnd = (async () => {
      for (let from = last; ; ) {
        const batch = (await reader.xread("BLOCK", 5000, "STREAMS", "ca:events", from)) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of batch?.[0]?.[1] ?? []) {
          from = id;
          if (fields.includes(record.id) && fields.includes("task.completed")) return reader.hgetall(sessionKey("alpha-1"));
        }
      }
    })();
    await records.finish(record, "alpha-1", "completed", 0, undefined, {}, { free: () => freedSession("alpha-1") });
    expect(await sawEnd).toMatchObject({ state: "idle", currentTask: "", completed: "1", host: "build-1" });
    expect(await home.ledger.get(record.id)).toMatchObject({ status: "completed", exitCode: 0 });
  });

  it("still publishes the freed session when the result is refused because another dispatch was counted", async () => {
    const record = await dispatched("alpha-2");
    await home.redis.hset(sessionKey("alpha-2"), { name: "alpha-2", state: "busy", currentTask: record.id });
    // Another host's worker took the job over and counted a second dispatch.
    await home.ledger.update(record.id, { dispatch: `${record.id}-2`, session: "beta-1", attempts: 2 }, undefined, 1);
    await expect(records.finish(record, "alpha-2", "completed", 0, undefined, {}, { free: () => freedSession("alpha-2") })).rejects.toBeInstanceOf(
      DispatchFencedError,
    );
    expect(await home.redis.hgetall(sessionKey("alpha-2"))).toMatchObject({ state: "idle", currentTask: "" });
    expect(await home.ledger.get(record.id)).toMatchObject({ status: "queued", attempts: 2 });
  });

  it("reads the record once to settle: the current one, or DispatchFencedError once another dispatch was counted", async () => {
    const record = await dispatched("alpha-3");
    expect(await records.current(record)).toMatchObject({ id: record.id, attempts: 1, dispatch: `${record.id}-1` });
    await home.ledger.update(record.id, { dispatch: `${record.id}-2`, session: "beta-1", attempts: 2 }, undefined, 1);
    await expect(records.current(record)).rejects.toMatchObject({ taskId: record.id, attempt: 1 });
  });

  it("writes the result from the record it is given, without reading it again", async () => {
    const record = await dispatched("alpha-4");
    const current = await records.current(record);
    // Changed behind the bridge's back after its read: a record it was given is not read again (only settling
    // that waited on something reads it afresh), so the result keeps the session the read said.
    await home.redis.hset(keys("ca").task(record.id), "session", "someone-else");
    await records.finish(record, null, "completed", 0, undefined, {}, { current });
    expect(await home.ledger.get(record.id)).toMatchObject({ status: "completed", session: "alpha-4" });
  });
});
