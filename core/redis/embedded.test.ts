import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { EnvironmentError, NotRunningError } from "../errors.js";
import { ensureHome, type HomePaths } from "../home.js";
import { checkEvictionPolicy, connectOrFail, isEmbeddedRedisRunning, startEmbeddedRedis, stopEmbeddedRedis } from "./index.js";

const tempDirs: string[] = [];
const homes: HomePaths[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  // Short on purpose: unix socket paths are limited to ~104 bytes.
  const dir = mkdtempSync(join(tmpdir(), "ca-"));
  tempDirs.push(dir);
  return dir;
}

function tempHome(): HomePaths {
  const paths = ensureHome(tempDir());
  homes.push(paths);
  return paths;
}

async function waitForSocket(socket: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const conn = createConnection({ path: socket }, () => (conn.destroy(), resolve(true)));
      conn.on("error", () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new Error(`no server on ${socket}`);
}

/** A throwaway, non-daemonized redis-server configured by CLI args; killed in afterAll. */
async function throwawayRedis(...args: string[]): Promise<string> {
  const socket = join(tempDir(), "r.sock");
  const child = spawn("redis-server", ["--port", "0", "--unixsocket", socket, "--daemonize", "no", "--save", "", ...args], {
    stdio: "ignore",
  });
  children.push(child);
  await waitForSocket(socket);
  return socket;
}

afterAll(async () => {
  for (const paths of homes) await stopEmbeddedRedis(paths).catch(() => undefined);
  for (const child of children) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("embedded redis", () => {
  const home = tempHome();

  it("starts a private redis-server that answers PING on the home's socket", async () => {
    const { pid, reused } = await startEmbeddedRedis(home);
    expect(reused).toBe(false);
    expect(pid).toBeGreaterThan(0);
    const redis = await connectOrFail({ kind: "embedded", socket: home.redisSocket });
    expect(await redis.ping()).toBe("PONG");
    expect(await checkEvictionPolicy(redis)).toBeNull();
    redis.disconnect();
  });

  it("reuses the running server instead of starting a second one", async () => {
    const first = await startEmbeddedRedis(home);
    const second = await startEmbeddedRedis(home);
    expect(second).toEqual({ pid: first.pid, reused: true });
  });

  it("keeps acknowledged writes across stop and start (AOF)", async () => {
    await startEmbeddedRedis(home);
    const target = { kind: "embedded", socket: home.redisSocket } as const;
    const before = await connectOrFail(target);
    await before.set("survives", "yes");
    before.disconnect();
    expect(await stopEmbeddedRedis(home)).toBe(true);
    expect((await startEmbeddedRedis(home)).reused).toBe(false);
    const after = await connectOrFail(target);
    expect(await after.get("survives")).toBe("yes");
    after.disconnect();
  });

  it("stop reports whether a server was running and leaves none behind", async () => {
    await startEmbeddedRedis(home);
    expect(await stopEmbeddedRedis(home)).toBe(true);
    expect(await isEmbeddedRedisRunning(home)).toBe(false);
    expect(await stopEmbeddedRedis(home)).toBe(false);
  });

  it("runs one independent server per home", async () => {
    const a = tempHome();
    const b = tempHome();
    const [startA, startB] = await Promise.all([startEmbeddedRedis(a), startEmbeddedRedis(b)]);
    expect(startA.pid).not.toBe(startB.pid);
    const redisA = await connectOrFail({ kind: "embedded", socket: a.redisSocket });
    const redisB = await connectOrFail({ kind: "embedded", socket: b.redisSocket });
    await redisA.set("only-in-a", "1");
    expect(await redisB.get("only-in-a")).toBeNull();
    redisA.disconnect();
    redisB.disconnect();
    await stopEmbeddedRedis(b);
    expect(await isEmbeddedRedisRunning(a)).toBe(true);
  });

  it("fails at once, quoting the log, when redis-server cannot bind its socket", async () => {
    const root = tempDir();
    const paths = { ...ensureHome(root), redisSocket: join(root, "missing-dir", "r.sock") };
    const started = Date.now();
    const error = await startEmbeddedRedis(paths).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/^redis-server exited at start:[\s\S]*Failed opening Unix socket/);
  });

  it("says how to install redis-server when it is missing", async () => {
    const path = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      const error = await startEmbeddedRedis(tempHome()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).hint).toContain("apt-get install -y redis-server");
    } finally {
      process.env.PATH = path;
    }
  });
});

describe("checkEvictionPolicy", () => {
  it("rejects a server that may evict queued jobs", async () => {
    const socket = await throwawayRedis("--maxmemory-policy", "allkeys-lru");
    const redis = new Redis({ path: socket });
    const error = await checkEvictionPolicy(redis).catch((e: unknown) => e);
    redis.disconnect();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe(`Redis at ${socket} evicts keys (maxmemory-policy is allkeys-lru); queued tasks could be lost`);
    expect((error as EnvironmentError).hint).toContain("CONFIG SET maxmemory-policy noeviction");
  });

  it("warns instead of failing when CONFIG is not allowed", async () => {
    const socket = await throwawayRedis();
    const admin = new Redis({ path: socket });
    await admin.call("ACL", "SETUSER", "limited", "on", "nopass", "~*", "+@all", "-config");
    admin.disconnect();
    const redis = new Redis({ path: socket, username: "limited", password: "x" });
    const warning = await checkEvictionPolicy(redis);
    redis.disconnect();
    expect(warning).toMatch(/cannot read maxmemory-policy/);
  });
});

describe("connectOrFail", () => {
  it("throws NotRunningError quickly when nothing listens on the socket", async () => {
    const socket = join(tempDir(), "none.sock");
    const started = Date.now();
    const error = await connectOrFail({ kind: "embedded", socket }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(NotRunningError);
    expect((error as Error).message).toBe(`the swarm is not running (no Redis at ${socket})`);
    expect((error as NotRunningError).hint).toBe("Start it with `claude-agent up` (or `claude-agent up --detach`).");
  });

  it("gives up within the timeout on a server that accepts but never answers", async () => {
    const socket = join(tempDir(), "hung.sock");
    const hung = createServer(() => undefined).listen(socket);
    try {
      const started = Date.now();
      const error = await connectOrFail({ kind: "embedded", socket }, 300).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(error).toBeInstanceOf(NotRunningError);
    } finally {
      hung.close();
    }
  });
});
