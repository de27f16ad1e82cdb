/**
 * The simulated hosts of the bench's many-hosts part (hosts.ts measures on
 * them): one redis-server on loopback with a password, shared by every host,
 * and hosts of one swarm, each a home of its own started with
 * `up --host NAME` (its own daemon and tmux server), as test/hosts/support.ts
 * starts them.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { homePaths, keys as swarmKeys, type HomePaths } from "../../core/index.js";
import { killTmuxServer } from "../../sessions/index.js";
import { connect, type Swarm } from "../../client/index.js";
import type { Cleanups } from "./cleanup.js";
import { childrenOf } from "./procfs.js";
import { CLI, daemonNodeArgs, stopDaemon, tempHome, waitReady } from "./swarm.js";
import { freePort } from "../../test/security/redis-support.js";

export const AGENT = "bench";
/** Replicas of the bench agent in all, spread over the hosts (replica n on host (n - 1) mod count). */
export const REPLICAS = 6;

// ---------------------------------------------------------------- the hosts

export interface SharedRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** One redis-server on loopback with a password, as a swarm spanning machines must have (AOF every second, as the embedded one). */
export async function startSharedRedis(cleanups: Cleanups): Promise<SharedRedis> {
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "cab-hosts-redis-"));
  const child = spawn(
    "redis-server",
    [
      ...["--bind", "127.0.0.1", "--port", String(port), "--requirepass", password, "--dir", dir, "--save", ""],
      ...["--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--daemonize", "no"],
    ],
    { stdio: "ignore" },
  );
  const stop = cleanups.add(`shared redis ${dir}`, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await poll("the shared redis-server to listen", 10_000, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      return (await canConnect(port)) || null;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://:${password}@127.0.0.1:${port}`, port, pid: child.pid!, stop };
}

export interface BenchHost {
  readonly name: string;
  readonly home: string;
  readonly paths: HomePaths;
  readonly replicas: number;
  /** Starts the daemon (again) and waits until it is ready. */
  start(): Promise<void>;
  /** kill -9 of the daemon alone: its tmux server and panes live on. */
  killDaemon(): Promise<void>;
  /** kill -9 of the daemon, the tmux server and every process of every pane. */
  killWhole(): Promise<void>;
  /** The host's processes: daemon and its children (the tmux control client), tmux server, the panes' programs. */
  pids(): number[];
}

type StartedHost = BenchHost & { daemon: ChildProcess | null };

export interface Hosts {
  readonly hosts: readonly BenchHost[];
  readonly redis: Redis;
  readonly keys: ReturnType<typeof swarmKeys>;
  /** The SDK client, through the first host's home (opened on first use). */
  client(): Promise<Swarm>;
  record(id: string): Promise<Record<string, string>>;
  /** Which host a session is placed on: replica n on hosts[(n - 1) mod count]. */
  hostIndexOf(session: string): number;
  stop(): Promise<void>;
}

let swarmSeq = 0;

/** `count` hosts h1…hN of a fresh swarm (a prefix of its own on the shared Redis), started one after another. */
export async function startHosts(shared: SharedRedis, count: number, env: NodeJS.ProcessEnv, cleanups: Cleanups): Promise<Hosts> {
  const swarmName = `bench-hosts-${process.pid}-${++swarmSeq}`;
  const names = Array.from({ length: count }, (_, i) => `h${i + 1}`);
  // No API: every host's would want the default port.
  const yaml = `swarm: ${swarmName}\nhosts:\n${names.map((n) => `  ${n}: {}\n`).join("")}agents:\n  - { name: ${AGENT}, runtime: shell, replicas: ${REPLICAS}, hosts: [${names.join(", ")}], timeout: 120 }\napi: false\n`;
  const hosts: StartedHost[] = [];
  const redis = new Redis(shared.url, { maxRetriesPerRequest: null });
  let client: Swarm | null = null;
  const stopHost = async (host: StartedHost): Promise<void> => {
    if (host.daemon) await stopDaemon(host.daemon);
    await killTmuxServer(host.paths.tmuxSocket).catch(() => false);
    rmSync(host.home, { recursive: true, force: true });
  };
  const stop = cleanups.add(`hosts of ${swarmName}`, async () => {
    await client?.close().catch(() => undefined);
    client = null;
    redis.disconnect();
    for (const host of hosts) await stopHost(host);
  });
  try {
    for (const [i, name] of names.entries()) {
      hosts.push(await startHost(name, yaml, { ...env, REDIS_URL: shared.url }, replicasOn(i, count)));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const prefix = `ca-${swarmName}`;
  return {
    hosts,
    redis,
    keys: swarmKeys(prefix),
    async client() {
      client ??= await connect({ home: hosts[0]!.home });
      return client;
    },
    record: (id) => redis.hgetall(`${prefix}:task:${id}`),
    hostIndexOf(session) {
      const n = Number(session.slice(session.lastIndexOf("-") + 1));
      if (!Number.isInteger(n) || n < 1) throw new Error(`not a session of ${AGENT}: ${session}`);
      return (n - 1) % count;
    },
    stop,
  };
}

const replicasOn = (index: number, count: number): number => Array.from({ length: REPLICAS }, (_, r) => r % count).filter((h) => h === index).length;

async function startHost(name: string, yaml: string, env: NodeJS.ProcessEnv, replicas: number): Promise<StartedHost> {
  const home = tempHome(name);
  const paths = homePaths(home);
  const configFile = join(home, "swarm.yaml");
  writeFileSync(configFile, yaml);
  const logFile = join(home, "daemon.log");
  const host: StartedHost = {
    name,
    home,
    paths,
    replicas,
    daemon: null,
    async start() {
      rmSync(join(paths.runDir, "daemon.ready"), { force: true });
      const log = openSync(logFile, "a");
      const daemon = spawn(process.execPath, [...daemonNodeArgs(), CLI, "--home", home, "up", "--config", configFile, "--no-task-log", "--host", name], {
        cwd: home,
        env: { ...process.env, ...env },
        stdio: ["ignore", log, log],
      });
      closeSync(log);
      host.daemon = daemon;
      await waitReady(daemon, paths, logFile);
    },
    async killDaemon() {
      const daemon = host.daemon;
      if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
      const exited = new Promise((r) => daemon.once("exit", r));
      daemon.kill("SIGKILL");
      await exited;
      host.daemon = null;
    },
    async killWhole() {
      const server = tmuxServerPid(paths);
      const panes = childrenOf(server).map((child) => child.pid);
      await host.killDaemon();
      process.kill(server, "SIGKILL");
      // Each pane's shell leads a session of its own: its commands go with it.
      for (const pane of panes) {
        try {
          execFileSync("pkill", ["-KILL", "-s", String(pane)]);
        } catch {
          // pkill exits 1 when the session had no process left.
        }
      }
    },
    pids() {
      const daemon = host.daemon?.pid;
      if (daemon === undefined) throw new Error(`host ${name} has no daemon`);
      const server = tmuxServerPid(paths);
      return [daemon, ...childrenOf(daemon).map((c) => c.pid), server, ...childrenOf(server).map((c) => c.pid)];
    },
  };
  await host.start();
  return host;
}

function tmuxServerPid(paths: HomePaths): number {
  const shown = execFileSync("tmux", ["-S", paths.tmuxSocket, "display-message", "-p", "#{pid}"], { encoding: "utf8" });
  const pid = Number.parseInt(shown.trim(), 10);
  if (!Number.isInteger(pid)) throw new Error(`cannot find the tmux server's pid of ${paths.tmuxSocket}`);
  return pid;
}

// ---------------------------------------------------------------- small helpers

export async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | null> | T | null): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = createConnection({ host: "127.0.0.1", port }, () => {
      conn.destroy();
      resolve(true);
    });
    conn.on("error", () => resolve(false));
  });
}
