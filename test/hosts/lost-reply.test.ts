/**
 * A dispatch's ledger write whose reply is lost with its connection, after
 * Redis carried it out. The daemon's connections (core/redis/connect.ts, as
 * every ioredis client by default: autoResendUnfulfilledCommands) send the
 * commands that were never answered again once they reconnect, so the write
 * runs twice. Through the partition tests' proxy (tcp-proxy.ts): replies held
 * while the write reaches Redis, then the connection reset, then restored.
 * Against a real redis-server on loopback, with the daemon's own client options.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, DispatchFencedError, Ledger } from "../../core/index.js";
import { taskRecord } from "../helpers/task-record.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

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
