/**
 * Issue 16, item 6: a connection of the swarm to a Sentinel group keeps working when the group's failover is
 * announced while the connection is still finding the primary again. Real processes: a primary, a replica and
 * three sentinels, each sentinel reached through a TCP proxy of the test (tcp-proxy.ts) that can hold every new
 * connection while those already open go on.
 *
 * What happens: the primary is SIGKILLed; the client's connection closes and it asks a sentinel for the primary
 * again. That question is held (as over a slow link, or a TLS handshake on a loaded machine) while the sentinels
 * promote the replica and announce +switch-master on the subscriptions the client's failover detector opened
 * before. Before the fix (core/redis/connect.ts, SentinelRedis), that old detector disconnected the connector
 * mid-connect, the connect failed with "Connection is closed." and ioredis (5.9) ended the client for good: a
 * daemon whose every later command was refused, and a task accepted and never run (seen in
 * test/hosts/sentinel-tls.test.ts under load).
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, type SentinelTarget } from "../../core/index.js";
import { waitFor } from "../helpers/wait.js";
import { pause, startSentinelGroup, type SentinelGroup } from "./sentinel-support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const PASSWORD = "sentinel-reconnect-test-pw";

describe("a Sentinel client whose primary fails over while it reconnects", { timeout: 120_000 }, () => {
  let group: SentinelGroup;
  let proxies: TcpProxy[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    group = await startSentinelGroup({ password: PASSWORD, replicas: 1 });
    proxies = await Promise.all(
      group.sentinels.map((address) => {
        const [host, port] = address.split(":");
        return startTcpProxy({ host: host!, port: Number(port) });
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await group?.stop();
  });

  it("finds the promoted primary once its held question is answered, although the failover was announced meanwhile", async () => {
    const target: SentinelTarget = { kind: "sentinel", sentinels: proxies.map(({ host, port }) => ({ host, port })), name: group.name, password: PASSWORD };
    const client = createRedis(target, { worker: true, name: "daemon" });
    clients.push(client);
    const errors: string[] = [];
    client.on("error", (error: Error) => errors.push(error.message));
    await client.set("before", "1");
    // Its failover detector subscribes to +switch-master on every sentinel once connected: one link each stays open.
    await waitFor("the client's subscriptions on every sentinel", async () =>
      (await Promise.all(proxies.map((proxy) => proxy.connections()))).every((n) => n >= 1),
    );
    await pause(200); // the SUBSCRIBE itself, sent on those links just after they opened

    for (const proxy of proxies) await proxy.cut({ mode: "blackhole", only: "new" });
    const old = await group.primaryPort();
    await group.kill9(old);
    await waitFor("the client to lose its primary", () => client.status !== "ready");
    await waitFor("the sentinels to promote the replica", async () => (await group.primaryPort()) !== old, { timeoutMs: 30_000, retryErrors: true });
    // The announcement reaches whatever still subscribes to it; the client's question for the primary stays held.
    await pause(500);
    for (const proxy of proxies) await proxy.restore();

    await waitFor("the client to reach the promoted primary", () => client.status === "ready" || client.status === "end", { timeoutMs: 30_000 });
    expect(client.status, `the client ended; its errors: ${errors.slice(-3).join(" | ")}`).toBe("ready");
    await client.set("after", "1");
    expect(await client.get("after")).toBe("1");
    // The worker's blocking reads go over a duplicate (BullMQ makes one): it is of the same kind.
    const duplicate = client.duplicate();
    clients.push(duplicate);
    expect(duplicate.constructor).toBe(client.constructor);
  });
});
