import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { EnvironmentError } from "../errors.js";
import { redisEndpoint, redisExposure, type RedisExposure } from "./exposure.js";
import { enforceRedisSafety, redisRisks } from "./guard.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function reachable(options: { host?: string; port?: number; path?: string }): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const conn = createConnection(options as never, () => (conn.destroy(), resolve(true)));
      conn.on("error", () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new Error("redis-server did not come up");
}

/** A throwaway redis-server; returns its URL (a TCP one on `host`, or its socket path). */
async function server(args: string[], where: { host?: string; socket?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ca-exp-"));
  dirs.push(dir);
  if (where.socket) {
    const path = join(dir, "r.sock");
    children.push(
      spawn("redis-server", ["--port", "0", "--unixsocket", path, "--unixsocketperm", "777", "--save", "", "--dir", dir, ...args], { stdio: "ignore" }),
    );
    await reachable({ path });
    return path;
  }
  const host = where.host ?? "127.0.0.1";
  const port = await freePort(host);
  children.push(spawn("redis-server", ["--bind", host, "--port", String(port), "--save", "", "--dir", dir, ...args], { stdio: "ignore" }));
  await reachable({ host, port });
  return `redis://${host}:${port}`;
}

const url = (text: string) => ({ kind: "url", url: text }) as const;

describe("redisEndpoint", () => {
  it("reads REDIS_URL as ioredis does", () => {
    expect(redisEndpoint(url("redis://swarm:pw@[::1]:6380/2"))).toMatchObject({ transport: "tcp", host: "::1", port: 6380, user: "swarm", password: true });
    expect(redisEndpoint(url("rediss://:pw@redis.example:6390"))).toMatchObject({
      transport: "tls",
      host: "redis.example",
      port: 6390,
      user: null,
      password: true,
    });
    expect(redisEndpoint(url("localhost:6379"))).toMatchObject({ transport: "tcp", host: "localhost", port: 6379 });
    expect(redisEndpoint(url("/run/redis/redis.sock"))).toMatchObject({ transport: "unix", path: "/run/redis/redis.sock" });
    expect(redisEndpoint({ kind: "embedded", socket: "/h/run/redis.sock" })).toMatchObject({ transport: "unix", path: "/h/run/redis.sock" });
  });
});

describe("redisExposure and its risks", () => {
  it("finds a TCP Redis without a password open to anyone, and says so", async () => {
    const exposure = await redisExposure(url(await server([])), "ca-x:config");
    expect(exposure).toMatchObject({ transport: "tcp", loopback: true, anonymous: "open", anonymousReply: ":0" });
    expect(redisRisks(exposure).auth).toMatch(/lets clients in without a password/);
    expect(redisRisks(exposure).tls).toBeNull();
  });

  it("finds one with requirepass, or with the default user off, closed", async () => {
    const withPassword = await redisExposure(url(await server(["--requirepass", "pw"])), "ca-x:config");
    expect(withPassword.anonymous).toBe("refused");
    expect(withPassword.anonymousReply).toMatch(/^-NOAUTH/);
    const aclOnly = await redisExposure(url(await server(["--user", "default", "off"])), "ca-x:config");
    expect(aclOnly.anonymous).toBe("refused");
    expect(redisRisks(aclOnly)).toEqual({ auth: null, tls: null, sentinelAuth: null, sentinelNotice: null });
  });

  it("counts a unix socket others may open as shared, and one only we may open as ours", async () => {
    const path = await server([], { socket: true });
    const shared = await redisExposure(url(path), "ca-x:config");
    expect(shared).toMatchObject({ transport: "unix", anonymous: "open", socketMode: 0o777 });
    expect(redisRisks(shared).auth).toMatch(/its socket has mode 777, so any local user/);
    chmodSync(path, 0o700);
    expect(redisRisks(await redisExposure(url(path), "ca-x:config")).auth).toBeNull();
  });
});

describe("enforceRedisSafety", () => {
  const exposed: RedisExposure = {
    transport: "tcp",
    where: "10.0.0.5:6379",
    loopback: false,
    anonymous: "open",
    anonymousReply: ":0",
    user: null,
    password: false,
    socketMode: null,
  };

  it("refuses each risk unless its own opt-out is given, then warns", () => {
    expect(() => enforceRedisSafety(exposed)).toThrow(EnvironmentError);
    expect(() => enforceRedisSafety(exposed, { allowWithoutAuth: true })).toThrow(/without TLS/);
    expect(() => enforceRedisSafety(exposed, { allowWithoutTls: true })).toThrow(/unauthenticated/);
    const warnings = enforceRedisSafety(exposed, { allowWithoutAuth: true, allowWithoutTls: true });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^WARNING \(--unsafe-allow-redis-without-auth\)/);
    expect(warnings[1]).toMatch(/^WARNING \(--unsafe-allow-redis-without-tls\)/);
  });

  it("accepts TLS and authentication, and the embedded socket, without a word", () => {
    expect(enforceRedisSafety({ ...exposed, transport: "tls", anonymous: "refused", anonymousReply: "-NOAUTH" })).toEqual([]);
    expect(enforceRedisSafety({ ...exposed, transport: "unix", loopback: true, anonymous: "not-probed", socketMode: 0o700 })).toEqual([]);
  });
});
