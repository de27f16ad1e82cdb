import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { EnvironmentError } from "../errors.js";
import type { HomePaths } from "../home.js";
import { processArgv } from "../process-identity.js";

const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;
const POLL_MS = 20;
const INSTALL_HINT = "Install it: sudo apt-get install -y redis-server (or set REDIS_URL to an existing server)";

/** Sends one raw command over the socket and resolves with the first reply line ("" when the server closed without one). */
function rawCommand(socket: string, command: string, timeoutMs = 500): Promise<string | null> {
  return new Promise((resolve) => {
    let reply = "";
    const conn = createConnection({ path: socket });
    const done = (value: string | null): void => {
      conn.destroy();
      resolve(value);
    };
    conn.setTimeout(timeoutMs, () => done(null));
    conn.on("error", () => done(null));
    conn.on("connect", () => conn.write(`${command}\r\n`));
    conn.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.slice(0, reply.indexOf("\r\n")));
    });
    conn.on("end", () => done(reply));
  });
}

/** A raw PING instead of an ioredis client: no retrying client, no 'error' events, ~1 ms per try. */
async function answersPing(socket: string): Promise<boolean> {
  return (await rawCommand(socket, "PING")) === "+PONG";
}

export function isEmbeddedRedisRunning(paths: HomePaths): Promise<boolean> {
  return answersPing(paths.redisSocket);
}

function readPid(paths: HomePaths): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(paths.redisPid, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live process, and this home's redis-server: a stale pidfile may name a reused pid, or
 * another home's server. redis-server titles itself `redis-server unixsocket:<path>`, so its command line
 * names its socket. Zombies count as gone: this machine's init reaps lazily and kept an exited
 * redis-server a zombie for ~2 s.
 */
function liveProcess(pid: number, paths?: HomePaths): "redis" | "other" | undefined {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "other" : undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8"); // "123 (redis-server) S ..."
    const close = stat.lastIndexOf(")");
    if (stat[close + 2] === "Z") return undefined;
    if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("redis-server")) return "other";
  } catch {
    return "redis"; // no /proc: trust the pidfile
  }
  const title = processArgv(pid)?.join(" ") ?? "";
  const socket = /unixsocket:(\S+)/.exec(title)?.[1];
  return paths && socket !== undefined && socket !== paths.redisSocket ? "other" : "redis";
}

const isAlive = (pid: number): boolean => liveProcess(pid) !== undefined;

/** What redis-server logged since byte `from` (this start's lines only; at most 64 KB, the log only grows). */
function logSince(paths: HomePaths, from: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(paths.redisLog, "r");
    const buffer = Buffer.alloc(Math.max(0, Math.min(fstatSync(fd).size - from, 65_536)));
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, from)).toString("utf8");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function redisConf(paths: HomePaths): string {
  const q = (value: string): string => JSON.stringify(value);
  // AOF everysec: a kill -9 right after a burst of adds loses at most ~1 s (without persistence, all was lost).
  return `# Written by claude-agent on every start; edits are overwritten.
port 0
unixsocket ${q(paths.redisSocket)}
unixsocketperm 700
dir ${q(paths.redisDir)}
appendonly yes
appendfsync everysec
save ""
maxmemory-policy noeviction
daemonize yes
pidfile ${q(paths.redisPid)}
logfile ${q(paths.redisLog)}
protected-mode yes
`;
}

/** `redis-server --version` → "7.0.15", or null when it is not installed. */
export async function redisServerVersion(): Promise<string | null> {
  try {
    const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
    const { stdout } = await execa("redis-server", ["--version"], { timeout: 5000 });
    return /v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
  } catch {
    return null;
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/** Starts (or reuses) the home's private redis-server. It daemonizes, so it outlives this process on purpose. */
export async function startEmbeddedRedis(paths: HomePaths): Promise<{ pid: number; reused: boolean }> {
  const running = readPid(paths);
  // A live server may still be loading its AOF (it answers -LOADING): wait rather than start a second one.
  if ((await answersPing(paths.redisSocket)) || (running !== undefined && liveProcess(running, paths) === "redis")) {
    if (await waitFor(() => answersPing(paths.redisSocket), START_TIMEOUT_MS)) {
      return { pid: readPid(paths) ?? running ?? 0, reused: true };
    }
  }
  for (const dir of [paths.redisDir, paths.runDir, paths.logsDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(paths.redisSocket, { force: true });
  writeFileSync(paths.redisConf, redisConf(paths), { mode: 0o600 });
  let logStart = 0;
  try {
    logStart = statSync(paths.redisLog).size;
  } catch {
    // no log yet
  }
  // Config errors are printed on stderr before daemonizing; later ones (bind, AOF) go to the log.
  const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
  const result = await execa("redis-server", [paths.redisConf], {
    stdin: "ignore",
    stdout: "ignore",
    timeout: START_TIMEOUT_MS,
    reject: false,
  });
  if (result.code === "ENOENT") throw new EnvironmentError("redis-server is not installed", { hint: INSTALL_HINT });
  const stderr = String(result.stderr ?? "").trim();
  // The pidfile is gone again when the daemon dies early (e.g. cannot bind the socket), but its log names
  // its pid ("pid=123, just started"): watching that pid turns a 5 s wait into an immediate failure.
  let exited = false;
  const up = await waitFor(async () => {
    const pid = Number(/pid=(\d+), just started/.exec(logSince(paths, logStart))?.[1] ?? 0);
    exited = pid > 0 && !isAlive(pid);
    return exited || (await answersPing(paths.redisSocket));
  }, START_TIMEOUT_MS);
  if (!up || exited) {
    const log = logSince(paths, logStart).trimEnd().split("\n").slice(-8).join("\n");
    const what = exited ? "exited at start" : `did not start within ${START_TIMEOUT_MS / 1000} s`;
    throw new EnvironmentError(`redis-server ${what}:\n${[stderr, log].filter(Boolean).join("\n") || "(nothing logged)"}`, {
      hint: `See ${paths.redisLog} and ${paths.redisConf}.`,
      context: { socket: paths.redisSocket },
    });
  }
  return { pid: readPid(paths) ?? 0, reused: false };
}

/** SHUTDOWN (the AOF keeps the data) and wait for the process to exit. Returns whether it was running. */
export async function stopEmbeddedRedis(paths: HomePaths): Promise<boolean> {
  const recorded = readPid(paths);
  // Only a pid proven to be this home's server is waited on or signalled.
  const pid = recorded !== undefined && liveProcess(recorded, paths) === "redis" ? recorded : undefined;
  // A server still loading its AOF answers -LOADING, not PONG, yet is running.
  if (!(await answersPing(paths.redisSocket)) && pid === undefined) return false;
  const reply = await rawCommand(paths.redisSocket, "SHUTDOWN", STOP_TIMEOUT_MS);
  if (reply?.startsWith("-") && pid !== undefined) process.kill(pid, "SIGTERM");
  const gone = await waitFor(async () => (pid !== undefined ? !isAlive(pid) : !(await answersPing(paths.redisSocket))), STOP_TIMEOUT_MS);
  if (!gone) {
    throw new EnvironmentError(`redis-server (pid ${pid ?? "?"}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`, {
      hint: pid !== undefined ? `kill ${pid}` : `See ${paths.redisLog}.`,
    });
  }
  return true;
}
