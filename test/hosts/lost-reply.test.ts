/**
 * A dispatch's ledger write whose reply is lost with its connection, after
 * Redis carried it out. The daemon's connections (core/redis/connect.ts, as
 * every ioredis client by default: autoResendUnfulfilledCommands) send the
 * commands that were never answered again once they reconnect, so the write
 * runs twice. Through the partition tests' proxy (tcp-proxy.ts): replies held
 * while the write reaches Redis, then the connection reset, then restored.
 * Against a real redis-server on loopback, with the daemon's own client options.
 * Each of a dispatch's writes (write-ahead, start, result), an event the bridge
 * publishes and a workflow execution's create and update is applied once and
 * answered as applied; one from another dispatch is refused as before.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskRecords } from "../../bridge/dispatch/task-records.js";
import { SessionStates } from "../../bridge/sessions/index.js";
import { AgentSpend, createRedis, DispatchFencedError, EventStream, keys, Ledger, periodOf, TaskEnds, type TaskRecord } from "../../core/index.js";
import { taskRecord } from "../helpers/task-record.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { createExecution, RedisExecutionStore, workflowFromObject } from "../../workflows/index.js";

describe("a dispatch's write whose reply was lost with its connection", () => {
  let server: TcpRedis;
  let proxy: TcpProxy;
  let direct: Redis;
  let daemon: Redis;
  let ledger: Ledger;
  let n = 0;

  beforeAll(async () => {
    server = await startTcpRedis();
    proxy = await startTcpProxy(server);
    direct = new Redis(server.url());
    daemon = createRedis({ kind: "url", url: proxy.url() }, { worker: true, name: "daemon" });
    daemon.on("error", () => undefined);
    ledger = new Ledger(daemon, "ca");
    // A first write loads the ledger's script into Redis (EVALSHA, then the text on NOSCRIPT): later writes are one EVALSHA.
    const warm = await submit();
    await ledger.update(warm, { session: "api-1" });
  });
  afterAll(async () => {
    daemon?.disconnect();
    direct?.disconnect();
    await proxy?.close();
    await server?.stop();
  });

  const submit = async (): Promise<string> => {
    const id = `t-lost-reply-${process.pid}-${++n}`;
    await new Ledger(direct, "ca").create(taskRecord({ id, agent: "api" }), { actor: "tester@test", via: "sdk" });
    return id;
  };
  /** Holds the replies, runs `write` until Redis shows `applied`, then resets the connection and restores the link. */
  async function loseReplyOf<T>(write: () => Promise<T>, applied: () => Promise<boolean>): Promise<PromiseSettledResult<T>> {
    await proxy.cut({ mode: "blackhole", only: "replies" });
    const outcome = write().then(
      (value) => ({ status: "fulfilled", value }) as const,
      (reason: unknown) => ({ status: "rejected", reason }) as const,
    );
    await waitFor("Redis to carry the write out", applied);
    await proxy.cut({ mode: "reset" });
    await proxy.restore();
    return outcome;
  }

  it("is taken as applied when it was the write-ahead that counted the dispatch, not fenced by itself", async () => {
    const id = await submit();
    const key = ledger.keys.task(id);
    const outcome = await loseReplyOf(
      () => ledger.update(id, { dispatch: `${id}-1`, session: "api-1", attempts: 1 }, undefined, 0),
      async () => (await direct.hget(key, "attempts")) === "1",
    );
    // Before the fix, the write sent again found attempts 1 against its fence 0 and was refused as another's:
    // the dispatch gave up a run it had itself counted, and nothing ran the task again.
    expect(outcome).toEqual({ status: "fulfilled", value: true });
    expect(await ledger.get(id)).toMatchObject({ attempts: 1, dispatch: `${id}-1`, session: "api-1" });
    // The dispatch goes on: its start and its result are its own.
    expect(await ledger.update(id, { status: "running", session: "api-1" }, { type: "task.started" }, 1)).toBe(true);
    expect(await ledger.finish(id, "completed", { exitCode: 0, session: "api-1", finishedAt: new Date().toISOString() }, "api", 1)).toBe(true);
  });

  it("adds an event the bridge publishes itself once, and answers with its entry, when the publish is sent again", async () => {
    const stream = new EventStream(daemon, "ca:events");
    await stream.publish("agent.up", { agent: "api", session: "api-warm" }); // loads the script (a NOSCRIPT held would hold the text)
    const tagged = async (session: string) =>
      (await direct.xrange("ca:events", "-", "+")).filter(([, fields]) => fields[fields.indexOf("session") + 1] === session);
    const session = `api-open-${++n}`;
    const outcome = await loseReplyOf(
      () => stream.publish("agent.breaker-open", { agent: "api", session, message: "3 failures in a row" }),
      async () => (await tagged(session)).length > 0,
    );
    // Before the fix, the XADD sent again was an entry of its own: every reader saw the breaker open twice.
    const entries = await tagged(session);
    expect(entries).toHaveLength(1);
    expect(outcome).toEqual({ status: "fulfilled", value: entries[0]![0] });
    // A publish made anew, with the same fields, is an event of its own.
    await stream.publish("agent.breaker-open", { agent: "api", session, message: "3 failures in a row" });
    expect(await tagged(session)).toHaveLength(2);
  });

  it("applies a workflow execution's update once, and answers with what it wrote, when the compare-and-set is sent again", async () => {
    // The update reads the document first: that read goes over another connection, so that only the
    // compare-and-set's reply is held (a held read would hold the write back).
    const readsDirect = new Proxy(daemon, {
      get: (target, name) => {
        const value = name === "get" ? direct.get : Reflect.get(target, name);
        return typeof value === "function" ? value.bind(name === "get" ? direct : target) : value;
      },
    });
    const store = new RedisExecutionStore(readsDirect, `ca-wf-${process.pid}`);
    const wf = workflowFromObject({ name: "wf", steps: [{ id: "one", agent: "x", task: "true" }] }, { file: "wf.yaml", agents: ["x"] });
    const id = `e-lost-${++n}`;
    await createExecution(store, wf, {}, { id });
    const counted = async () => (await store.get(id))!.steps.one!.attempts;
    const outcome = await loseReplyOf(
      () => store.update(id, (state) => void state.steps.one!.attempts++),
      async () => (await counted()) === 1,
    );
    // Before the fix, the copy found the document changed (by its own first run), answered 0, and the update read
    // it again and counted the attempt a second time.
    expect(await counted()).toBe(1);
    expect(outcome).toMatchObject({ status: "fulfilled", value: { id, steps: { one: { attempts: 1 } } } });
    // An update made anew counts again.
    await store.update(id, (state) => void state.steps.one!.attempts++);
    expect(await counted()).toBe(2);
  });

  it("creates a workflow execution once, and answers that it did, when the create is sent again", async () => {
    const store = new RedisExecutionStore(daemon, `ca-wf-${process.pid}`);
    const wf = workflowFromObject({ name: "wf", steps: [{ id: "one", agent: "x", task: "true" }] }, { file: "wf.yaml", agents: ["x"] });
    const id = `e-lost-${++n}`;
    const outcome = await loseReplyOf(
      () => createExecution(store, wf, {}, { id }),
      async () => (await direct.exists(store.key(id))) === 1,
    );
    // Before the fix, the copy's SET NX failed on its own document and the create threw "already exists".
    expect(outcome).toMatchObject({ status: "fulfilled", value: { id } });
    expect(await direct.zrange(store.indexKey, 0, -1)).toContain(id);
    // Another execution with the id is still refused.
    await expect(createExecution(store, wf, {}, { id })).rejects.toThrow(/exists/);
  });

  it("is still refused when another dispatch counted a further attempt before it was sent again", async () => {
    const id = await submit();
    const key = ledger.keys.task(id);
    await proxy.cut({ mode: "blackhole", only: "replies" });
    const mine = ledger.update(id, { dispatch: `${id}-1`, session: "api-1", attempts: 1 }, undefined, 0);
    const settled = mine.then(
      () => "applied",
      (error: unknown) => error,
    );
    await waitFor("Redis to carry the write out", async () => (await direct.hget(key, "attempts")) === "1");
    // Another host's worker takes the job over and counts attempt 2 while this connection is down.
    await proxy.cut({ mode: "reset" });
    await new Ledger(direct, "ca").update(id, { dispatch: `${id}-2`, session: "api-2", attempts: 2 }, undefined, 1);
    await proxy.restore();
    expect(await settled).toBeInstanceOf(DispatchFencedError);
    expect(await ledger.get(id)).toMatchObject({ attempts: 2, dispatch: `${id}-2`, session: "api-2" });
  });
});

/**
 * The start and the result of a dispatch, sent again the same way. Through the bridge's own writer of a
 * dispatch's records (bridge/dispatch/task-records.ts), as the daemon wires it: a ledger that tells the
 * tasks it ends to waiters in the process (task-ends.ts), and a budget count once a result is recorded
 * (the budget's own counter, core/budget's AgentSpend, on what the ledger recorded).
 */
describe("a dispatch's start and result whose replies were lost with their connection", () => {
  let server: TcpRedis;
  let proxy: TcpProxy;
  let direct: Redis;
  let daemon: Redis;
  let ledger: CutLedger;
  let records: TaskRecords;
  let jobsDir: string;
  const ended: string[] = [];
  const counted: string[] = [];
  const logged: { event: string; taskId: unknown }[] = [];
  let n = 0;

  /** The daemon's ledger, with a way to hold the replies from just before its next write is sent (the write's own reads pass). */
  class CutLedger extends Ledger {
    beforeNextWrite: (() => Promise<void>) | null = null;
    override async update(...args: Parameters<Ledger["update"]>): Promise<boolean> {
      const before = this.beforeNextWrite;
      this.beforeNextWrite = null;
      await before?.();
      return super.update(...args);
    }
  }

  beforeAll(async () => {
    server = await startTcpRedis();
    proxy = await startTcpProxy(server);
    direct = new Redis(server.url());
    daemon = createRedis({ kind: "url", url: proxy.url() }, { worker: true, name: "daemon" });
    daemon.on("error", () => undefined);
    const ends = new TaskEnds();
    ends.listen((record) => ended.push(record.id));
    ledger = new CutLedger(daemon, "ca", { ends });
    jobsDir = mkdtempSync(join(tmpdir(), "ca-lost-reply-jobs-"));
    const spend = new AgentSpend(direct, keys("ca"));
    records = new TaskRecords({
      ledger,
      jobsDir,
      pools: new Map(),
      states: new SessionStates(daemon, keys("ca"), "build-1"),
      recorder: null,
      host: "build-1",
      redact: (text) => text,
      log: (event, data) => logged.push({ event, taskId: data?.taskId }),
      counted: async (agent, taskId) => {
        counted.push(taskId);
        const record = await new Ledger(direct, "ca").get(taskId);
        await spend.count(agent, "day", taskId, { usd: record?.costUsd ?? 0, tokens: 0 }, Date.parse(record?.finishedAt ?? ""));
      },
    });
    // Loads the ledger's scripts into Redis (EVALSHA, then the text on NOSCRIPT: a NOSCRIPT held would hold the text), the plain and the read-back way.
    const warm = await dispatched();
    await records.finish(warm, "api-1", "completed", 0);
    await ledger.amend(warm.id, { turns: 1 });
    counted.length = 0;
    ended.length = 0;
    logged.length = 0;
  });
  afterAll(async () => {
    daemon?.disconnect();
    direct?.disconnect();
    await proxy?.close();
    await server?.stop();
    if (jobsDir) rmSync(jobsDir, { recursive: true, force: true });
  });

  /** A task submitted, and dispatched (attempt 1) into api-1 by this daemon. */
  const dispatched = async (): Promise<TaskRecord> => {
    const id = `t-lost-start-${process.pid}-${++n}`;
    await new Ledger(direct, "ca").create(taskRecord({ id, agent: "api" }), { actor: "tester@test", via: "sdk" });
    await records.writeAhead(id, { dispatch: `${id}-1`, session: "api-1", pane: "%1:1", attempts: 1 }, 0);
    return (await ledger.get(id))!;
  };
  const events = async (id: string, type: string) =>
    (await direct.xrange("ca:events", "-", "+")).filter(([, fields]) => fields.includes(id) && fields[fields.indexOf("type") + 1] === type);
  /** Holds the replies from just before the ledger's next write, until Redis shows it `applied`; then resets the connection and restores the link. */
  async function loseReplyOf<T>(write: () => Promise<T>, applied: () => Promise<boolean>): Promise<PromiseSettledResult<T>> {
    ledger.beforeNextWrite = () => proxy.cut({ mode: "blackhole", only: "replies" });
    const outcome = write().then(
      (value) => ({ status: "fulfilled", value }) as const,
      (reason: unknown) => ({ status: "rejected", reason }) as const,
    );
    await waitFor("Redis to carry the write out", applied);
    await proxy.cut({ mode: "reset" });
    await proxy.restore();
    return outcome;
  }

  it("adds one task.started when the start is sent again", async () => {
    const record = await dispatched();
    const outcome = await loseReplyOf(
      () => records.started(record, "api-1", Date.now()),
      async () => (await direct.hget(ledger.keys.task(record.id), "status")) === "running",
    );
    expect(outcome).toEqual({ status: "fulfilled", value: undefined });
    // Before the fix, the start sent again ran as a start of its own: a second task.started on the stream.
    expect(await events(record.id, "task.started")).toHaveLength(1);
    expect(await ledger.get(record.id)).toMatchObject({ status: "running", session: "api-1", attempts: 1 });
  });

  it("records the result once, with one terminal event, one end told and one budget count, when the result is sent again", async () => {
    const record = await dispatched();
    await records.started(record, "api-1", Date.now());
    const outcome = await loseReplyOf(
      () => records.finish(record, "api-1", "completed", 0, undefined, { costUsd: 0.25 }),
      async () => (await direct.hget(ledger.keys.task(record.id), "status")) === "completed",
    );
    expect(outcome).toEqual({ status: "fulfilled", value: undefined });
    // Before the fix, the result sent again found the task ended and read as another writer's end: the dispatch
    // logged no job.finished, counted nothing against the agent's budget and told no waiter.
    expect(await events(record.id, "task.completed")).toHaveLength(1);
    expect(await ledger.get(record.id)).toMatchObject({ status: "completed", exitCode: 0, costUsd: 0.25, attempts: 1 });
    expect(logged.filter(({ event, taskId }) => event === "job.finished" && taskId === record.id)).toHaveLength(1);
    expect(counted.filter((id) => id === record.id)).toHaveLength(1);
    expect(ended.filter((id) => id === record.id)).toHaveLength(1);
    const finished = (await ledger.get(record.id))!;
    const spent = await direct.hgetall(keys("ca").spend("api", periodOf("day", Date.parse(finished.finishedAt!)).key));
    expect(Number(spent.usd)).toBe(0.25);
    // A result written anew (not the same command sent again) is still the late one it is.
    expect(await ledger.finish(record.id, "failed", { exitCode: 1, session: "api-1" }, "api", 1)).toBe(false);
    expect(await events(record.id, "task.failed")).toHaveLength(0);
  });

  it("counts late token figures once in the budget when their amendment is sent again", async () => {
    const record = await dispatched();
    await records.started(record, "api-1", Date.now());
    await records.finish(record, "api-1", "completed", 0);
    counted.length = 0;
    const key = ledger.keys.task(record.id);
    // The amendment is written in the background (amendLater): the replies are held once its figures are read.
    let read: () => void = () => undefined;
    const figures = new Promise<void>((resolve) => (read = resolve));
    records.amendLater(record.id, async () => {
      await proxy.cut({ mode: "blackhole", only: "replies" });
      read();
      return { inputTokens: 1200, outputTokens: 30 };
    });
    await figures;
    await waitFor("Redis to carry the amendment out", async () => (await direct.hget(key, "inputTokens")) === "1200");
    await proxy.cut({ mode: "reset" });
    await proxy.restore();
    // Before the fix, the amendment sent again set nothing new and read as "nothing added": no budget count.
    await waitFor("the budget count of the amendment", () => counted.includes(record.id));
    expect(counted.filter((id) => id === record.id)).toHaveLength(1);
    expect(await events(record.id, "task.amended")).toHaveLength(1);
    expect(logged.filter(({ event, taskId }) => event === "job.amend-failed" && taskId === record.id)).toEqual([]);
    expect(await ledger.get(record.id)).toMatchObject({ status: "completed", inputTokens: 1200, outputTokens: 30 });
  });

  it("still refuses a start sent again once another dispatch was counted before it came", async () => {
    const record = await dispatched();
    const key = ledger.keys.task(record.id);
    ledger.beforeNextWrite = () => proxy.cut({ mode: "blackhole", only: "replies" });
    const settled = records.started(record, "api-1", Date.now()).then(
      () => "applied",
      (error: unknown) => error,
    );
    await waitFor("Redis to carry the start out", async () => (await direct.hget(key, "status")) === "running");
    await proxy.cut({ mode: "reset" });
    // Another host's worker takes the job over and counts attempt 2 while this connection is down.
    await new Ledger(direct, "ca").update(record.id, { dispatch: `${record.id}-2`, session: "api-2", attempts: 2 }, undefined, 1);
    await proxy.restore();
    expect(await settled).toBeInstanceOf(DispatchFencedError);
    expect(await events(record.id, "task.started")).toHaveLength(1);
    expect(await ledger.get(record.id)).toMatchObject({ attempts: 2, dispatch: `${record.id}-2`, session: "api-2" });
  });
});
