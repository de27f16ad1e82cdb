import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, ensureHome, keys as keysOf, pushSessionRequest, startEmbeddedRedis, stopEmbeddedRedis, type HomePaths } from "../core/index.js";
import { SessionRequests } from "./session-requests.js";

let paths: HomePaths;
let redis: Redis;
const opened: Redis[] = [];
let n = 0;

beforeAll(async () => {
  // Short on purpose: unix socket paths are limited to ~104 bytes.
  paths = ensureHome(mkdtempSync(join(tmpdir(), "ca-")));
  await startEmbeddedRedis(paths);
  redis = createRedis({ kind: "embedded", socket: paths.redisSocket });
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  for (const connection of opened) connection.disconnect();
  await stopEmbeddedRedis(paths);
  rmSync(paths.root, { recursive: true, force: true });
});

/** A consumer on a fresh prefix, recording what it was asked to restart and what it logged. */
function consumer(
  restart: (session: string, reason: string) => Promise<void> = async () => undefined,
  blockSec = 1,
  host: string | null = null,
  prefix = `ca-t${++n}`,
) {
  const keys = keysOf(prefix);
  const restarted: { session: string; reason: string }[] = [];
  const holds: { session: string; untilMs: number | null }[] = [];
  const logged: { event: string; fields: Record<string, unknown> }[] = [];
  const requests = new SessionRequests({
    connect: (name) => {
      const connection = createRedis({ kind: "embedded", socket: paths.redisSocket }, { worker: true, name });
      opened.push(connection);
      return connection;
    },
    keys,
    host,
    restart: async (session, reason) => {
      restarted.push({ session, reason });
      await restart(session, reason);
    },
    hold: (session, untilMs) => (holds.push({ session, untilMs }), session !== "nobody-1"),
    handBack: (session) => void holds.push({ session, untilMs: null }),
    log: (event, fields = {}) => void logged.push({ event, fields }),
    blockSec,
  });
  return { keys, requests, restarted, holds, logged };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("SessionRequests (the bridge's side of a restart request)", () => {
  it("in a swarm with hosts, hands each host's bridge only the requests for that host's sessions", async () => {
    const prefix = `ca-t${++n}`;
    const build = consumer(undefined, 1, "build-1", prefix);
    const gpu = consumer(undefined, 1, "gpu-1", prefix);
    build.requests.start();
    gpu.requests.start();
    // Several, so that a shared list (whichever bridge pops first) would hand some to the wrong host.
    for (let i = 0; i < 6; i++) {
      await pushSessionRequest(redis, build.keys, { session: "api-1", reason: "r", actor: "ann", via: "cli" }, "build-1");
      await pushSessionRequest(redis, gpu.keys, { session: "trainer-1", reason: "r", actor: "ann", via: "cli" }, "gpu-1");
    }
    await until("twelve restarts", () => build.restarted.length + gpu.restarted.length === 12);
    expect(build.restarted.map((r) => r.session)).toEqual(Array(6).fill("api-1"));
    expect(gpu.restarted.map((r) => r.session)).toEqual(Array(6).fill("trainer-1"));
    await Promise.all([build.requests.close(), gpu.requests.close()]);
  });

  it("restarts the session a client asked for, with a reason naming who asked, and empties the list", async () => {
    const { keys, requests, restarted } = consumer();
    requests.start();
    await pushSessionRequest(redis, keys, { session: "alpha-1", reason: "restart requested from the dashboard", actor: "ann@host", via: "tui" });
    await until("the restart", () => restarted.length === 1);
    expect(restarted[0]).toEqual({ session: "alpha-1", reason: "restart requested from the dashboard by ann@host (tui)" });
    expect(await redis.llen(keys.sessionRequests)).toBe(0);
    await requests.close();
  });

  it("carries out requests queued while no bridge ran, in order, each once", async () => {
    const { keys, requests, restarted } = consumer();
    for (const session of ["a-1", "b-1", "a-2"]) await pushSessionRequest(redis, keys, { session, reason: "r", actor: "x", via: "cli" });
    requests.start();
    await until("three restarts", () => restarted.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(restarted.map((r) => r.session)).toEqual(["a-1", "b-1", "a-2"]);
    await requests.close();
  });

  it("skips what is not a request (written by anyone with Redis access) and goes on with the next", async () => {
    const { keys, requests, restarted, logged } = consumer();
    const bad = [
      "not json",
      JSON.stringify({ kind: "restart", session: "x; kill-server", reason: "", actor: "a", via: "cli", requestedAt: "" }),
      JSON.stringify({ kind: "restart", session: "#(touch /tmp/p)", reason: "", actor: "a", via: "cli", requestedAt: "" }),
      JSON.stringify({ kind: "shell", session: "alpha-1", reason: "", actor: "a", via: "cli", requestedAt: "" }),
      JSON.stringify({ kind: "restart", session: "alpha-1", reason: "r".repeat(5000), actor: "a", via: "cli", requestedAt: "" }),
    ];
    await redis.rpush(keys.sessionRequests, ...bad);
    await pushSessionRequest(redis, keys, { session: "alpha-1", reason: "r", actor: "a", via: "cli" });
    requests.start();
    await until("the valid request", () => restarted.length === 1);
    expect(restarted.map((r) => r.session)).toEqual(["alpha-1"]);
    expect(logged.filter((l) => l.event === "session-request.invalid")).toHaveLength(bad.length);
    await requests.close();
  });

  it("logs a restart that fails (a session this bridge does not have) and keeps serving", async () => {
    const { keys, requests, restarted, logged } = consumer(async (session) => {
      if (session === "ghost-1") throw new Error("no session named ghost-1");
    });
    requests.start();
    await pushSessionRequest(redis, keys, { session: "ghost-1", reason: "r", actor: "a", via: "cli" });
    await pushSessionRequest(redis, keys, { session: "alpha-1", reason: "r", actor: "a", via: "cli" });
    await until("both handled", () => restarted.length === 2);
    expect(logged.find((l) => l.event === "session-request.failed")?.fields).toMatchObject({ session: "ghost-1" });
    await requests.close();
  });

  it("closes at once while waiting, twice without harm, and leaves later requests for the next bridge", async () => {
    const { keys, requests, restarted } = consumer(undefined, 60);
    requests.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // its BLPOP is pending now
    const started = Date.now();
    await requests.close();
    expect(Date.now() - started).toBeLessThan(30_000); // did not wait out the 60 s BLPOP
    await requests.close();
    await pushSessionRequest(redis, keys, { session: "alpha-1", reason: "r", actor: "a", via: "cli" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(restarted).toEqual([]);
    expect(await redis.llen(keys.sessionRequests)).toBe(1);
  });

  it("hands the bridge a hold with its time and a release, in order, and refuses a hold without a time or longer than two minutes", async () => {
    const { keys, requests, holds, restarted } = consumer();
    requests.start();
    const holdUntil = new Date(Date.now() + 30_000).toISOString();
    await pushSessionRequest(redis, keys, { kind: "hold", session: "alpha-1", until: holdUntil, reason: "taken over", actor: "web:ann@host", via: "web" });
    await pushSessionRequest(redis, keys, { kind: "release", session: "alpha-1", reason: "handed back", actor: "web:ann@host", via: "web" });
    await until("the hold and the release", () => holds.length === 2);
    expect(holds).toEqual([
      { session: "alpha-1", untilMs: Date.parse(holdUntil) },
      { session: "alpha-1", untilMs: null },
    ]);
    expect(restarted).toEqual([]);
    const base = { session: "alpha-1", reason: "r", actor: "a", via: "web" };
    await expect(pushSessionRequest(redis, keys, { kind: "hold", ...base })).rejects.toThrow(/needs an ISO 8601 time/);
    await expect(pushSessionRequest(redis, keys, { kind: "hold", ...base, until: new Date(Date.now() + 600_000).toISOString() })).rejects.toThrow(
      /at most 120 s/,
    );
    await expect(pushSessionRequest(redis, keys, { ...base, until: holdUntil })).rejects.toThrow(/only a hold has one/);
    await requests.close();
  });

  it("refuses to queue a request for something that is not a session name", async () => {
    const keys = keysOf("ca-refuse");
    await expect(pushSessionRequest(redis, keys, { session: "a b", reason: "r", actor: "a", via: "cli" })).rejects.toThrow(/not a session name/);
    expect(await redis.llen(keys.sessionRequests)).toBe(0);
  });
});
