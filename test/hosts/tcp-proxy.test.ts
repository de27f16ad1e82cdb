/**
 * The partition tests' TCP proxy (tcp-proxy.ts) against a real redis-server
 * on loopback: what passes through it, and what each kind of cut does to a
 * client that is connected and to one that connects during the cut.
 */
import { createConnection, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** A raw socket to the proxy, collecting what it receives and how it ended. */
function rawClient(proxy: TcpProxy): { socket: Socket; received: () => string; ended: () => string | null } {
  let data = "";
  let ended: string | null = null;
  const socket = createConnection({ host: proxy.host, port: proxy.port });
  socket.on("data", (chunk) => (data += chunk.toString()));
  socket.on("error", (error: NodeJS.ErrnoException) => (ended = error.code ?? error.message));
  socket.on("close", () => (ended ??= "closed"));
  return { socket, received: () => data, ended: () => ended };
}

/** An ioredis client through the proxy that fails at once instead of retrying (what a CLI command does). */
const oneShot = (proxy: TcpProxy): Redis =>
  new Redis(proxy.url(), { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true });

describe("the TCP proxy of the partition tests", () => {
  let server: TcpRedis;
  let direct: Redis;
  let proxy: TcpProxy;
  const clients: Redis[] = [];
  const track = (client: Redis): Redis => (clients.push(client), client.on("error", () => undefined));

  beforeAll(async () => {
    server = await startTcpRedis();
    direct = new Redis(server.url());
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await proxy?.close();
  });
  afterAll(async () => {
    direct?.disconnect();
    await server?.stop();
  });

  it("forwards commands to Redis and their replies back, on loopback", async () => {
    proxy = await startTcpProxy(server);
    expect(proxy.host).toBe("127.0.0.1");
    const client = track(new Redis(proxy.url()));
    expect(await client.ping()).toBe("PONG");
    await client.set("through-proxy", "yes");
    expect(await direct.get("through-proxy")).toBe("yes");
    expect(await proxy.connections()).toBe(1);
  });

  it("resets open connections on a reset cut, resets new ones during it, and lets clients reconnect after restore", async () => {
    proxy = await startTcpProxy(server);
    const retrying = track(new Redis(proxy.url(), { maxRetriesPerRequest: null }));
    expect(await retrying.ping()).toBe("PONG");
    const dropped = new Promise<void>((resolve) => retrying.once("close", () => resolve()));

    await proxy.cut({ mode: "reset" });
    expect(proxy.state).toBe("reset");
    await dropped;
    // A new connection is accepted by the kernel and reset at once: a pulled cable that is noticed.
    const raw = rawClient(proxy);
    expect(await waitFor("the new connection to be reset", raw.ended)).toBe("ECONNRESET");
    const once = track(oneShot(proxy));
    await expect(once.connect()).rejects.toThrow();
    // A command of a client that retries waits for the link (ioredis' offline queue)…
    const pending = retrying.set("after-reset", "queued");

    await proxy.restore();
    // …and is carried out once it is back.
    expect(await pending).toBe("OK");
    expect(await direct.get("after-reset")).toBe("queued");
    const fresh = track(new Redis(proxy.url()));
    expect(await fresh.ping()).toBe("PONG");
  });

  it("holds every byte of open and new connections on a blackhole cut, closing nothing, and delivers them in order on restore", async () => {
    proxy = await startTcpProxy(server);
    const client = track(new Redis(proxy.url()));
    expect(await client.ping()).toBe("PONG");
    let closed = false;
    client.on("close", () => (closed = true));
    const before = String(await direct.client("LIST"))
      .split("\n")
      .filter(Boolean).length;

    await proxy.cut({ mode: "blackhole" });
    expect(proxy.state).toBe("blackhole");
    let replied = false;
    const set = client.set("held", "1").then((reply) => ((replied = true), reply));
    const incr = client.incr("held");
    const raw = rawClient(proxy);
    raw.socket.write("PING\r\n");
    // Redis has seen nothing of either: no write, no new client.
    await waitFor("the raw connection to be accepted", async () => (await proxy.connections()) === 2);
    // Time for a leak to show: bytes that got through would reach Redis within this (a slow machine can only hide a leak, never fail the test).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await direct.get("held")).toBeNull();
    expect(
      String(await direct.client("LIST"))
        .split("\n")
        .filter(Boolean).length,
    ).toBe(before);
    expect(replied).toBe(false);
    expect(raw.received()).toBe("");
    expect(closed).toBe(false);
    expect(raw.ended()).toBeNull();

    await proxy.restore();
    expect(await set).toBe("OK");
    expect(await incr).toBe(2);
    expect(await waitFor("the held connection's reply", () => raw.received())).toBe("+PONG\r\n");
    expect(closed).toBe(false);
    raw.socket.destroy();
  });

  it("refuses connections once closed, and closes again without complaint", async () => {
    proxy = await startTcpProxy(server);
    const client = track(new Redis(proxy.url(), { maxRetriesPerRequest: 0, retryStrategy: () => null }));
    expect(await client.ping()).toBe("PONG");
    const dropped = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await proxy.close();
    await proxy.close();
    expect(proxy.state).toBe("closed");
    await dropped;
    const raw = rawClient(proxy);
    expect(await waitFor("the connection to be refused", raw.ended)).toBe("ECONNREFUSED");
    await expect(proxy.cut()).rejects.toThrow(/gone/);
  });
});
