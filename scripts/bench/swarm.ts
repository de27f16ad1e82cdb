/**
 * A swarm as a user runs it: the real CLI daemon (`claude-agent up`) in a
 * child process, in a temp home, driven from this process through the SDK.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { homePaths, stopEmbeddedRedis, type HomePaths } from "../../core/index.js";
import { killTmuxServer } from "../../sessions/index.js";
import { connect, type Swarm } from "../../client/index.js";
import type { Cleanups } from "./cleanup.js";

export const CLI = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../cli/main.js");
export const AGENT = "bench";
const READY_TIMEOUT_MS = 60_000;

export interface BenchSwarm {
  readonly home: string;
  readonly paths: HomePaths;
  readonly daemon: ChildProcess;
  /** The SDK client (opened on first use). */
  sdk(): Promise<Swarm>;
  /** Stops the daemon, the tmux server and redis, and removes the home. */
  stop(): Promise<void>;
}

/**
 * CPU (ms, user + system) of creating one small file in folders made where
 * the bench's homes are made, 100 files in each of 5 fresh folders: the
 * cheapest folder's and the dearest's. A shell agent's task creates five
 * files in its home (its dispatch file, the pane's claim, exit and output
 * files, its recording). On one machine's ext4 a create cost 0.65–0.78 ms in
 * some fresh folders and 0.02–0.11 ms in others of the same disk (against
 * 0.004 ms to append to a file that exists), so two homes of one run can
 * differ: the figures are only comparable with this beside them.
 */
export function fileCreateCpuMs(folders = 5, files = 100): { min: number; max: number } {
  const costs: number[] = [];
  for (let f = 0; f < folders; f++) {
    const dir = mkdtempSync(join(tmpdir(), "cab-files-"));
    try {
      const t0 = process.cpuUsage();
      for (let i = 0; i < files; i++) {
        const fd = openSync(join(dir, `f${i}`), "w", 0o600);
        writeSync(fd, "x".repeat(512));
        closeSync(fd);
      }
      const used = process.cpuUsage(t0);
      costs.push((used.user + used.system) / 1000 / files);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { min: Math.min(...costs), max: Math.max(...costs) };
}

export function tempHome(tag: string): string {
  const home = mkdtempSync(join(tmpdir(), `cab-${tag}-`));
  writeFileSync(join(home, ".claude-agent-home"), ""); // marked as a home: its swarm.yaml and log go in before `up`
  return home;
}

/** One shell agent with `replicas` panes, sharing one queue; or the agents of `yaml` (the API and sandbox benches); `env` for the daemon (the history bench). */
export async function startBenchSwarm(replicas: number, cleanups: Cleanups, yaml?: string, env: NodeJS.ProcessEnv = {}): Promise<BenchSwarm> {
  const home = tempHome(`s${replicas}`);
  const paths = homePaths(home);
  const configFile = join(home, "swarm.yaml");
  writeFileSync(configFile, yaml ?? `agents:\n  - name: ${AGENT}\n    runtime: shell\n    replicas: ${replicas}\n    timeout: 120\n`);
  const logFile = join(home, "daemon.log");
  const spawnDaemon = (daemonEnv: NodeJS.ProcessEnv): ChildProcess => {
    const log = openSync(logFile, "a");
    const child = spawn(process.execPath, [...daemonNodeArgs(), CLI, "--home", home, "up", "--config", configFile, "--no-task-log"], {
      cwd: home,
      env: { ...process.env, REDIS_URL: "", ...daemonEnv },
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    return child;
  };
  const daemon = spawnDaemon(env);
  let client: Swarm | null = null;
  const stop = cleanups.add(`swarm ${home}`, async () => {
    await client?.close().catch(() => undefined);
    client = null;
    await stopDaemon(daemon);
    await killTmuxServer(paths.tmuxSocket).catch(() => false);
    await stopEmbeddedRedis(paths).catch(() => false);
    rmSync(home, { recursive: true, force: true });
  });
  try {
    await waitReady(daemon, paths, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    home,
    paths,
    get daemon() {
      return daemon;
    },
    async sdk() {
      client ??= await connect({ home });
      return client;
    },
    stop,
  };
}

/**
 * BENCH_DAEMON_NODE_ARGS: node options for the daemons the bench starts, split on spaces; e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` profiles each daemon (written when it stops). Node refuses
 * --cpu-prof in NODE_OPTIONS, hence a variable of our own.
 */
export function daemonNodeArgs(): string[] {
  return (process.env.BENCH_DAEMON_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
}

export async function waitReady(daemon: ChildProcess, paths: HomePaths, logFile: string): Promise<void> {
  const ready = join(paths.runDir, "daemon.ready");
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(ready) && readFileSync(ready, "utf8").trim() === String(daemon.pid)) return;
    if (daemon.exitCode !== null || daemon.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the swarm daemon did not become ready:\n${readFileSync(logFile, "utf8")}`);
}

export async function stopDaemon(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise<void>((r) => daemon.once("exit", () => r()));
  daemon.kill("SIGTERM");
  const timer = setTimeout(() => daemon.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
