/**
 * Two simulated hosts of one swarm: two homes (each its own tmux server and
 * daemon, started with its own `up --host`) sharing one real redis-server on
 * loopback that demands a password. What test/hosts/*.test.ts start.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { expect } from "vitest";
import { readApiRunFile } from "../../api/listen.js";
import { connect, type Swarm } from "../../client/index.js";
import { lines } from "../faults/support.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { loginCode } from "../web/support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** A host daemon's log lines (`logs/swarm.jsonl`) of one event, parsed, oldest first. */
export function daemonLog(home: TestSwarm, event: string): Record<string, unknown>[] {
  return lines(join(home.paths.logsDir, "swarm.jsonl"))
    .filter((line) => line.includes(`"event":"${event}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The client flags of the viewers attached to a home's tmux server (its own control-mode client left out). */
export function viewerClients(home: string): string[] {
  const flags = execFileSync("tmux", ["-S", join(home, "run", "tmux.sock"), "list-clients", "-F", "#{client_flags}"], { encoding: "utf8" });
  return flags.split("\n").filter((line) => line !== "" && !line.includes("control-mode"));
}

/** A browser session on a host's web dashboard: its one-time code exchanged for the cookie, as the login page does. */
export async function webLogin(host: TestSwarm): Promise<{ ws: string; headers: Record<string, string> }> {
  const url = readApiRunFile(host.home)!.url;
  const login = await fetch(`${url}/web/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ code: loginCode(host) }),
  });
  expect(login.status).toBe(200);
  return { ws: url.replace("http", "ws"), headers: { cookie: login.headers.get("set-cookie")!.split(";")[0]!, origin: url } };
}

/** A host daemon's `dispatch.fenced` log lines about task `id`: its late writes the ledger refused. */
export function fencedLines(home: TestSwarm, id: string): Record<string, unknown>[] {
  return daemonLog(home, "dispatch.fenced").filter((line) => JSON.stringify(line).includes(id));
}

/**
 * Starts, from `from`'s CLI, the three-step workflow the leader tests fail over: each step appends a line to its
 * own file in `dir` (so "ran once" is a line count), and the middle one waits for `<dir>/two.go`, which holds the
 * execution mid-run until the test writes it. Returns the execution's id.
 */
export function startChain(from: TestSwarm, dir: string): string {
  const file = join(dir, "chain.yaml");
  writeFileSync(
    file,
    `name: chain
steps:
  - { id: one, agent: work, task: "echo run >> ${dir}/one" }
  - { id: two, agent: work, depends_on: one, task: "echo run >> ${dir}/two; while [ ! -e ${dir}/two.go ]; do sleep 0.1; done" }
  - { id: three, agent: work, depends_on: two, task: "echo run >> ${dir}/three" }
`,
  );
  const run = from.cli(["workflow", "run", "--file", file]);
  expect(run.exitCode, run.stderr).toBe(0);
  return run.stdout.trim();
}

export interface TwoHosts {
  readonly server: TcpRedis;
  /** REDIS_URL (with the password) for every process of the swarm. */
  readonly env: NodeJS.ProcessEnv;
  /** The first host, started first. */
  readonly build: TestSwarm;
  readonly gpu: TestSwarm;
  /** Stops both daemons (down), removes the homes and stops Redis. */
  stop(): Promise<void>;
}

/**
 * `yaml` must declare the hosts build-1 and gpu-1; build-1's daemon is up before gpu-1's starts.
 * `daemonEnv`: more environment for both daemons (CLAUDE_AGENT_TUNING).
 */
export async function startTwoHosts(yaml: string, password: string, daemonEnv: NodeJS.ProcessEnv = {}): Promise<TwoHosts> {
  const hosts = await startHosts(yaml, password, ["build-1", "gpu-1"], daemonEnv);
  return { server: hosts.server, env: hosts.env, build: hosts.homes[0]!, gpu: hosts.homes[1]!, stop: hosts.stop };
}

export interface Hosts {
  readonly server: TcpRedis;
  /** REDIS_URL (with the password) for every process of the swarm. */
  readonly env: NodeJS.ProcessEnv;
  /** One home per host, in the order of the names given, each up with `up --host NAME`. */
  readonly homes: readonly TestSwarm[];
  /** Stops every daemon (down), removes the homes and stops Redis. */
  stop(): Promise<void>;
}

/** Hosts of one swarm on one real redis-server with a password, started one after another in the order given. */
export async function startHosts(yaml: string, password: string, names: readonly string[], daemonEnv: NodeJS.ProcessEnv = {}): Promise<Hosts> {
  const server = await startTcpRedis({ args: ["--requirepass", password] });
  const env = { REDIS_URL: server.url(`:${password}`) };
  const upEnv = { ...daemonEnv, ...env };
  const started: TestSwarm[] = [];
  const stop = async (): Promise<void> => {
    for (const swarm of started) await swarm.destroy();
    await server.stop();
  };
  try {
    for (const name of names) started.push(await startTestSwarm(yaml, { env: upEnv, upArgs: ["--host", name] }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, env, homes: started, stop };
}

/** A host, wholly: its daemon, its tmux server, and every process of every pane (each pane's shell leads a session of its own). */
export async function killHost(host: TestSwarm): Promise<void> {
  const socket = join(host.paths.runDir, "tmux.sock");
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  const server = Number(tmux("list-sessions", "-F", "#{pid}")[0]);
  const panes = tmux("list-panes", "-a", "-F", "#{pane_pid}").map(Number);
  await host.kill9();
  process.kill(server, "SIGKILL");
  for (const pane of panes) {
    try {
      execFileSync("pkill", ["-KILL", "-s", String(pane)]);
    } catch {
      // pkill exits 1 when the session had no process left: the hang-up took them already.
    }
  }
}

export interface TwoHostsBehindProxies extends TwoHosts {
  /** Each host's own link to Redis: its daemon and its CLI reach Redis only through it (tcp-proxy.ts). */
  readonly links: { readonly build: TcpProxy; readonly gpu: TcpProxy };
  /** REDIS_URL through each host's link, as its daemon and CLI use it (`env` stays the direct one, for the test). */
  readonly hostEnv: { readonly build: NodeJS.ProcessEnv; readonly gpu: NodeJS.ProcessEnv };
}

/**
 * startTwoHosts, with each host reaching Redis through a TCP proxy of its own, so a test can cut one host's
 * link (`await links.build.cut()`) while the other host and the test itself still reach Redis directly.
 */
export async function startTwoHostsBehindProxies(yaml: string, password: string, daemonEnv: NodeJS.ProcessEnv = {}): Promise<TwoHostsBehindProxies> {
  const server = await startTcpRedis({ args: ["--requirepass", password] });
  const env = { REDIS_URL: server.url(`:${password}`) };
  const proxies: TcpProxy[] = [];
  const started: TestSwarm[] = [];
  const stop = async (): Promise<void> => {
    // A host whose link is cut would not hear `down` through it.
    for (const proxy of proxies) if (proxy.state !== "closed") await proxy.restore().catch(() => undefined);
    for (const swarm of started) await swarm.destroy();
    for (const proxy of proxies) await proxy.close();
    await server.stop();
  };
  try {
    proxies.push(await startTcpProxy(server), await startTcpProxy(server));
    const hostEnv = proxies.map((proxy) => ({ REDIS_URL: proxy.url(`:${password}`) }));
    started.push(await startTestSwarm(yaml, { env: { ...daemonEnv, ...hostEnv[0] }, upArgs: ["--host", "build-1"] }));
    started.push(await startTestSwarm(yaml, { env: { ...daemonEnv, ...hostEnv[1] }, upArgs: ["--host", "gpu-1"] }));
    return {
      server,
      env,
      build: started[0]!,
      gpu: started[1]!,
      links: { build: proxies[0]!, gpu: proxies[1]! },
      hostEnv: { build: hostEnv[0]!, gpu: hostEnv[1]! },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Waits for a task whose first run was interrupted (its host killed, frozen or cut off) to run again: its
 * record `running` as attempt 2, and a second `start` in `runs`, the file each run of it appends to.
 */
export function secondRun(
  record: (id: string) => Promise<Record<string, string>>,
  id: string,
  runs: string,
  timeoutMs: number,
  what = "the task to run again on the other host",
): Promise<Record<string, string>> {
  return waitFor(
    what,
    async () => {
      const now = await record(id);
      return now.status === "running" && now.attempts === "2" && lines(runs).filter((line) => line === "start").length === 2 ? now : null;
    },
    { timeoutMs },
  );
}

/** What a test process holds of a swarm spanning hosts: a plain Redis client and the SDK client (gpu-1's home). */
export interface TestClients {
  readonly redis: Redis;
  readonly client: Swarm;
  /** Closes both and forgets REDIS_URL. Idempotent. */
  close(): Promise<void>;
}

/**
 * Both clients reach the shared Redis directly, past any host's link (the SDK client through REDIS_URL, which
 * this process keeps until close): a test can cut a host off and still read and submit.
 */
export async function connectTestClients(hosts: { readonly env: NodeJS.ProcessEnv; readonly gpu: TestSwarm }): Promise<TestClients> {
  const redis = new Redis(hosts.env.REDIS_URL!);
  process.env.REDIS_URL = hosts.env.REDIS_URL;
  const client = await connect({ home: hosts.gpu.home });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await client.close();
      delete process.env.REDIS_URL;
      redis.disconnect();
    })());
  return { redis, client, close };
}
