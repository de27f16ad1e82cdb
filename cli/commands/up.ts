import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureHome, loadConfig, resolveHome, UsageError, EnvironmentError, type HomePaths } from "../../core/index.js";
import { printJson, type GlobalOptions } from "../context.js";
import { livePid, removePid, writePid, isAlive } from "../pidfile.js";
import { startSwarm } from "../swarm-runtime.js";
import { programChecks } from "../program-checks.js";

export interface UpOptions extends GlobalOptions {
  config?: string;
  detach?: boolean;
  json?: boolean;
}

const DETACH_READY_TIMEOUT_MS = 60_000;

export async function up(options: UpOptions): Promise<void> {
  const paths = ensureHome(resolveHome(options.home));
  const running = livePid(paths.daemonPid);
  if (running) throw new UsageError(`the swarm in ${paths.root} is already running (pid ${running})`, { hint: "Stop it with `claude-agent down`, or use it: `claude-agent status`." });
  const config = loadConfig({ explicit: options.config, cwd: process.cwd(), home: paths.root });
  await sayProgramProblems(await programChecks(config));
  if (options.detach) {
    const started = await startDetached(paths, config.source);
    if (options.json) printJson({ ...started, home: paths.root, config: config.source });
    else process.stdout.write(`swarm running in the background (pid ${started.pid}, home ${paths.root})\nlog: ${started.log}\nstop: claude-agent down\n`);
    return;
  }
  await runForeground(paths, config.source);
}

/**
 * An agent whose `node:` cannot be found would fail every task: `up` refuses.
 * A program release outside what claude-agent was tested with, or a Node its
 * package refuses, is said plainly on stderr; the swarm still starts.
 */
async function sayProgramProblems(checks: readonly { name: string; ok: boolean; warning?: boolean; detail: string; fix?: string }[]): Promise<void> {
  const missing = checks.find((check) => !check.ok && check.name.endsWith(" node") && check.detail.includes("cannot be found"));
  if (missing) throw new EnvironmentError(`${missing.name}: ${missing.detail}`, { hint: missing.fix ?? "" });
  for (const check of checks.filter((c) => !c.ok || c.warning)) {
    process.stderr.write(`warning: ${check.name}: ${check.detail}\n${check.fix ? `  fix: ${check.fix}\n` : ""}`);
  }
}

async function runForeground(paths: HomePaths, configFile: string): Promise<void> {
  const config = loadConfig({ explicit: configFile, cwd: process.cwd(), home: paths.root });
  writePid(paths.daemonPid);
  const readyFile = join(paths.runDir, "daemon.ready");
  rmSync(readyFile, { force: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let swarm;
  try {
    swarm = await startSwarm({ home: paths.root, config, progress: say });
  } catch (error) {
    removePid(paths.daemonPid);
    throw error;
  }
  say(`ready: ${config.agents.map((a) => `${a.name}×${a.replicas}`).join(", ")} (home ${paths.root})`);
  say(`  submit:  claude-agent submit --task "echo hello" --wait`);
  say(`  watch:   claude-agent attach ${config.agents[0]?.name ?? "AGENT"}`);
  say(`  stop:    Ctrl-C here (agents keep running in tmux), or claude-agent down`);
  (await import("node:fs")).writeFileSync(readyFile, `${process.pid}\n`);
  process.send?.("ready"); // pm2 wait_ready
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      say(`received ${signal}: stopping intake; running jobs stay in their panes`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await swarm.close();
  rmSync(readyFile, { force: true });
  removePid(paths.daemonPid);
  say("stopped");
}

/** Starts `claude-agent up` as a background process and returns once it is ready. */
export async function startDetached(paths: HomePaths, configFile: string): Promise<{ pid: number; log: string }> {
  const readyFile = join(paths.runDir, "daemon.ready");
  rmSync(readyFile, { force: true });
  const logFile = join(paths.logsDir, "daemon.out");
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, [process.argv[1]!, "--home", paths.root, "up", "--config", configFile], {
    detached: true,
    stdio: ["ignore", out, out],
    env: process.env,
  });
  closeSync(out);
  child.unref();
  const pid = child.pid!;
  const deadline = Date.now() + DETACH_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(readyFile) && readFileSync(readyFile, "utf8").trim() === String(pid)) {
      return { pid, log: logFile };
    }
    if (!isAlive(pid)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  if (isAlive(pid)) process.kill(pid, "SIGTERM");
  throw new EnvironmentError(`the background swarm did not become ready`, { hint: `Its log (${logFile}) ends with:\n${tail}` });
}
