/**
 * Fencing of dispatches (docs/MULTI-HOST.md): each dispatch of a task counts
 * one more attempt in the same script that records it, and every later write
 * of that dispatch (its start, its result) carries the attempt it counted.
 * Once another dispatch has been counted, a stale one's writes are refused
 * inside the ledger's script, before it changes anything. Against a real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchFencedError, Ledger } from "../../core/index.js";
import { startRedisHome, type RedisHome } from "../history/support.js";

describe("the fence of a task's dispatches", () => {
  let home: RedisHome;
  let ledger: Ledger;
  beforeAll(async () => {
    home = await startRedisHome();
    ledger = new Ledger(home.redis, "ca");
  });
  afterAll(async () => {
    await home?.close();
  });

  const now = () => new Date().toISOString();
  /** A dispatch's write-ahead: counts attempt `fence + 1` if the task still has `fence` attempts. */
  const dispatch = (id: string, fence: number, session: string) =>
    ledger.update(id, { dispatch: `${id}-${fence + 1}`, session, attempts: fence + 1 }, undefined, fence);
  const started = (id: string, attempt: number, session: string) =>
    ledger.update(id, { status: "running", startedAt: now(), session }, { type: "task.started", data: { session } }, attempt);
  const finish = (id: string, attempt: number, session: string, output: string) =>
    ledger.finish(id, "completed", { exitCode: 0, session, output, finishedAt: now() }, "api", attempt);
  const terminalEvents = async (id: string) =>
    (await home.redis.xrange("ca:events", "-", "+")).filter(([, fields]) => fields.includes(id) && fields.includes("task.completed"));

  it("refuses the start and the result of a dispatch once another was counted, and records the later one's", async () => {
    const id = await home.submit("sleep 30");
    await home.redis.set(ledger.keys.taskRaw(id), "sleep 30 # the raw text");
    expect(await dispatch(id, 0, "api-1")).toBe(true);
    // Host a froze here; host b's worker took the job over and dispatched it again.
    expect(await dispatch(id, 1, "api-2")).toBe(true);
    await expect(started(id, 1, "api-1")).rejects.toBeInstanceOf(DispatchFencedError);
    expect(await started(id, 2, "api-2")).toBe(true);
    await expect(finish(id, 1, "api-1", "from a")).rejects.toMatchObject({ taskId: id, attempt: 1 });
    const meanwhile = await ledger.get(id);
    expect(meanwhile).toMatchObject({ status: "running", session: "api-2", attempts: 2, dispatch: `${id}-2` });
    // A refused result leaves the raw text to the dispatch that runs the task.
    expect(await home.redis.get(ledger.keys.taskRaw(id))).not.toBeNull();

    expect(await finish(id, 2, "api-2", "from b")).toBe(true);
    expect(await home.redis.get(ledger.keys.taskRaw(id))).toBeNull();
    // Host a wakes after the end: still refused as stale, not merely as late; the record keeps b's result.
    await expect(finish(id, 1, "api-1", "from a")).rejects.toBeInstanceOf(DispatchFencedError);
    expect(await ledger.get(id)).toMatchObject({ status: "completed", session: "api-2", output: "from b", attempts: 2 });
    expect(await terminalEvents(id)).toHaveLength(1);
  });

  it("lets only one of two dispatches of the same attempt count it", async () => {
    const id = await home.submit("true");
    const both = await Promise.allSettled([dispatch(id, 0, "api-1"), dispatch(id, 0, "api-2")]);
    expect(both.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect(both.filter((outcome) => outcome.status === "rejected" && outcome.reason instanceof DispatchFencedError)).toHaveLength(1);
    expect((await ledger.get(id))?.attempts).toBe(1);
  });

  it("lets only one of two dispatches of the same attempt count it when they write the same fields (two hosts' api-1, homes at the same path)", async () => {
    const id = await home.submit("true");
    const ahead = () =>
      ledger.update(
        id,
        { dispatch: `${id}-1`, session: "api-1", pane: "%3:1", attempts: 1, outputFile: `/home/ca/.claude-agent/output/${id}.log` },
        undefined,
        0,
      );
    expect(await ahead()).toBe(true);
    // The same fields, but another write (not the same command sent again): still another dispatch's, refused.
    await expect(ahead()).rejects.toBeInstanceOf(DispatchFencedError);
    expect((await ledger.get(id))?.attempts).toBe(1);
  });

  it("leaves writes that are no dispatch's unfenced (a cancel, the sweeper's)", async () => {
    const id = await home.submit("true");
    await dispatch(id, 0, "api-1");
    await dispatch(id, 1, "api-2");
    expect(await ledger.finish(id, "cancelled", { exitCode: null, finishedAt: now(), reason: "cancelled" }, "api")).toBe(true);
    expect((await ledger.get(id))?.status).toBe("cancelled");
  });
});
