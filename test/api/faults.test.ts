/**
 * Faults around the API: Redis down (503 with Retry-After, nothing accepted
 * and lost), a thousand concurrent idempotent submissions, and a daemon
 * restart that SSE clients resume across with Last-Event-ID, missing
 * nothing.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal, startEmbeddedRedis } from "../../core/index.js";
import { call, callMany, sleep, startApiSwarm, type ApiSwarm } from "./support.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

describe("the API under faults", () => {
  let api: ApiSwarm;
  beforeAll(async () => {
    // The default rate limit would refuse part of the thousand submissions below.
    api = await startApiSwarm("api:\n  listen: 127.0.0.1:0\n  rate_limit: 100000\n");
  });
  afterAll(async () => api?.swarm.destroy());

  it("answers 503 with Retry-After while Redis is down, accepts nothing, and serves again once it is back", async () => {
    const before = (await api.call("GET", "/v1/tasks?limit=500")).json.tasks.length;
    execFileSync("redis-cli", ["-s", api.swarm.paths.redisSocket, "shutdown"], { stdio: "ignore" });
    await waitFor("redis to be down", () => {
      try {
        execFileSync("redis-cli", ["-s", api.swarm.paths.redisSocket, "ping"], { stdio: "ignore" });
        return false;
      } catch {
        return true;
      }
    });
    const health = await api.call("GET", "/health", { token: null });
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ status: "down", components: { redis: { status: "down", fix: expect.stringContaining("claude-agent doctor") } } });
    const submits = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.call("POST", "/v1/tasks", { body: { task: `echo during-outage-${i}`, agent: "alpha" } })),
    );
    for (const submit of submits) {
      expect(submit.status).toBe(503);
      expect(Number(submit.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(submit.json).toMatchObject({ status: 503, title: "Service unavailable" });
    }
    await startEmbeddedRedis(api.swarm.paths);
    await waitFor("the API to serve again", async () => (await api.call("GET", "/health", { token: null })).status === 200, { timeoutMs: 30_000 });
    const after = (await api.call("GET", "/v1/tasks?limit=500")).json.tasks as { task: string }[];
    expect(after.length).toBe(before);
    expect(after.some((t) => t.task.startsWith("echo during-outage"))).toBe(false);
    const fresh = await api.call("POST", "/v1/tasks", { body: { task: "echo back", agent: "alpha" } });
    expect(fresh.status).toBe(201);
    expect((await api.call("GET", `/v1/tasks/${fresh.json.id}?wait=30`)).json.status).toBe("completed");
    // The durable history is a component too: its writer carried on through the outage.
    const healthy = await waitFor("the history writer to catch up", async () => {
      const report = (await api.call("GET", "/health", { token: null })).json;
      return /^ok: 0 event\(s\) behind, 0 read/.test(report.components.history?.detail ?? "") ? report : null;
    });
    expect(healthy.components.history.status).toBe("ok");
  }, 90_000);

  it("turns 1,000 concurrent submissions with idempotency keys, each sent twice, into exactly 1,000 tasks", async () => {
    const N = 1000;
    const keys = Array.from({ length: N }, (_, i) => `burst-${i}`);
    const request = (i: number) => ({
      method: "POST",
      path: "/v1/tasks",
      body: { task: `echo burst-${i}`, agent: i % 3 === 0 ? "beta" : "alpha" },
      headers: { "idempotency-key": keys[i]! },
    });
    const replies = await callMany(api.url, api.token, [...keys.keys(), ...keys.keys()].map(request));
    expect(replies.filter((r) => r.status !== 200 && r.status !== 201).map((r) => r.text)).toEqual([]);
    const ids = new Map<string, Set<string>>();
    replies.forEach((reply, n) => {
      const key = keys[n % N]!;
      ids.set(key, (ids.get(key) ?? new Set()).add(reply.json.id));
    });
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
    expect(replies.filter((r) => r.json.created === true)).toHaveLength(N);
    const unique = new Set(replies.map((r) => r.json.id as string));
    expect(unique.size).toBe(N);
    const client = await api.swarm.connect();
    const records = await waitFor(
      "every burst task to finish",
      async () => {
        const all = await Promise.all([...unique].map((id) => client.client.get(id)));
        return all.every((r) => isTerminal(r.status)) ? all : null;
      },
      { timeoutMs: 240_000 },
    );
    expect(records.filter((r) => r.status === "completed")).toHaveLength(N);
    const burstTasks = (await clientInternals(client.client).ledger.list(5000)).length;
    expect(burstTasks).toBeGreaterThanOrEqual(N);
  }, 300_000);

  it("lets an SSE client resume across a daemon restart with Last-Event-ID and miss nothing", async () => {
    const seen: string[] = [];
    let lastId = "";
    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1/events`, { headers: { authorization: `Bearer ${api.token}` }, signal: controller.signal });
    const reader = (async () => {
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += Buffer.from(chunk).toString();
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const id = /^id: (.+)$/m.exec(buffer.slice(0, end))?.[1];
            buffer = buffer.slice(end + 2);
            if (id) {
              seen.push(id);
              lastId = id;
            }
          }
        }
      } catch {
        // the daemon died under the stream
      }
    })();
    const client = await api.swarm.connect();
    const first = await client.submit({ task: "echo before the restart", agent: "alpha" });
    await first.result();
    await waitFor("the client to see the first task end", () => seen.length >= 3);
    await api.swarm.kill9();
    await reader;
    // While the daemon is down, clients of Redis still publish (submissions are events too).
    const during = await Promise.all(Array.from({ length: 5 }, (_, i) => client.submit({ task: `echo while-down-${i}`, agent: "beta" })));
    await api.swarm.start();
    const url = (JSON.parse(readFileSync(join(api.swarm.paths.runDir, "api.json"), "utf8")) as { url: string }).url;
    await Promise.all(during.map((t) => t.result()));
    const expected = (await clientInternals(client.client).redis.xrange(client.client.events.key, `(${lastId}`, "+")).map(([id]) => id);
    const resumed: string[] = [];
    const again = await fetch(`${url}/v1/events`, {
      headers: { authorization: `Bearer ${api.token}`, "last-event-id": lastId },
      signal: AbortSignal.timeout(30_000),
    });
    let buffer = "";
    for await (const chunk of again.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString();
      for (const match of buffer.matchAll(/^id: (.+)$/gm)) if (!resumed.includes(match[1]!)) resumed.push(match[1]!);
      if (resumed.length >= expected.length) break;
    }
    expect(resumed.slice(0, expected.length)).toEqual(expected);
    expect(new Set([...seen, ...resumed]).size).toBe(seen.length + resumed.length);
    // Events published after `expected` was read may follow: all of them, in stream order.
    const upToLast = (await clientInternals(client.client).redis.xrange(client.client.events.key, `(${lastId}`, resumed.at(-1)!)).map(([id]) => id);
    expect(resumed).toEqual(upToLast);
    controller.abort();
    await sleep(10);
    expect((await call(url, api.token, "GET", "/health", { token: null })).status).toBe(200);
  }, 120_000);
});
