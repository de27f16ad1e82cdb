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
import type { ExecutionState } from "./types.js";

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
    { name: "wf", steps: [{ id: "a", agent: "x", task: "1" }, { id: "b", agent: "x", task: "2" }] },
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
