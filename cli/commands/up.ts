import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  acquireHomeLock,
  ALLOW_WITHOUT_AUTH,
  ALLOW_WITHOUT_TLS,
  ConfigError,
  ensureHome,
  EnvironmentError,
  homeLockHolder,
  loadConfig,
  redisTarget,
  resolveHost,
  startProblems,
  resolveHome,
  UsageError,
  type HomePaths,
  type RedisOptOuts,
} from "../../core/index.js";
import { printJson, type GlobalOptions } from "../context.js";
import { removePid, writePid, isAlive } from "../pidfile.js";
import { onStdoutClosed } from "../stdout-closed.js";
import { startSwarm } from "../swarm-runtime.js";
import { startTaskLog } from "../task-log.js";
import { programChecks } from "../program-checks.js";
import { loginChecks, type LoginCheck } from "../agent-logins.js";
import { agentCommand } from "../command-line.js";
import { ownVersion } from "../agent-programs.js";

export interface UpOptions extends GlobalOptions {
  config?: string;
  detach?: boolean;
  json?: boolean;
  /** --unsafe-allow-redis-without-auth */
  unsafeAllowRedisWithoutAuth?: boolean;
  /** --unsafe-allow-redis-without-tls */
  unsafeAllowRedisWithoutTls?: boolean;
  /** `--no-task-log` (false): a foreground `up` prints no line per task start and end. */
  taskLog?: boolean;
  /** `--host NAME`: in a swarm with `hosts:`, which host this daemon is (default: this machine's hostname). */
  host?: string;
}

const DETACH_READY_TIMEOUT_MS = 60_000;
/** How a process killed by SIGPIPE exits in a shell: what `up | head -1` reports once `head` has gone. */
const EXIT_STDOUT_CLOSED = 141;
/**
 * How a daemon under pm2 exits when SIGTERM stopped it (`claude-agent down`, or a person's `kill`), as a shell
 * reports a process ended by SIGTERM. ecosystem.config.js lists it in `stop_exit_codes`, so pm2 leaves the app
 * stopped. Not 0: pm2 reports a process killed by a signal (kill -9) as exit code 0 (`code || 0`), and that one
 * it must start again. pm2's own stop and restart send SIGINT.
 */
const EXIT_STOPPED_UNDER_PM2 = 143;
/**
 * How long stopping may take before the daemon exits anyway. Closing waits on Redis (BullMQ's workers, the
 * task log); with Redis gone it waited for ever: a daemon whose embedded Redis was killed did not exit 20 s
 * after SIGTERM. Its tasks stay in their panes and the home's lock dies with the process, as after kill -9.
 */
const STOP_DEADLINE_MS = 20_000;
/** Exit code when stopping did not finish (by the deadline, or a second Ctrl-C or SIGTERM). */
const EXIT_STOP_UNFINISHED = 1;

export async function up(options: UpOptions): Promise<number> {
  const paths = ensureHome(resolveHome(options.home));
  const holder = await homeLockHolder(paths.root);
  if (holder && holder !== "silent") {
    throw new UsageError(`the swarm in ${paths.root} is already running (pid ${holder.pid})`, {
      hint: "Stop it with `claude-agent down`, or use it: `claude-agent status`.",
    });
  }
  const config = loadConfig({ explicit: options.config, cwd: process.cwd(), home: paths.root });
  const missing = startProblems(config);
  if (missing.length > 0)
    throw new ConfigError(missing, {
      hint: "Create the folder, or point cwd at an existing one (relative to swarm.yaml's folder); give a new repository its first commit.",
    });
  await sayProgramProblems(await programChecks(config));
  // Checked before anything starts: an unknown host is a usage error, with the hosts swarm.yaml declares.
  const host = resolveHost(config, options.host, hostname());
  sayLogins(loginChecks(config, { home: paths.root, seed: true }));
  const optOuts: RedisOptOuts = { allowWithoutAuth: options.unsafeAllowRedisWithoutAuth, allowWithoutTls: options.unsafeAllowRedisWithoutTls };
  if (options.detach) {
    const started = await startDetached(paths, config.source, optOuts, host);
    if (options.json) printJson({ ...started, home: paths.root, config: config.source });
    else
      process.stdout.write(
        `swarm running in the background (pid ${started.pid}, home ${paths.root})\nlog: ${started.log}\nstop: ${agentCommand(paths.root, "down")}\n${started.notes.map((note) => `${note}\n`).join("")}`,
      );
    return 0;
  }
  return runForeground(paths, config.source, optOuts, options.taskLog !== false, host);
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

/**
 * Each program agent's login, after the user's own was copied into its
 * folder: what was refreshed, and for an agent that cannot authenticate what
 * to run. The swarm still starts (its other agents work).
 */
function sayLogins(checks: readonly LoginCheck[]): void {
  for (const check of checks) {
    if (check.seeded) process.stderr.write(`${check.agent}: your login copied into its folder (${check.seeded.join(", ")})\n`);
    if (!check.ok) process.stderr.write(`warning: agent ${check.agent} cannot log in: ${check.detail}\n${check.fix ? `  fix: ${check.fix}\n` : ""}`);
  }
}

/**
 * The daemon: holds the home's lock from before anything starts until after
 * everything of ours stopped. Stops like Ctrl-C on SIGINT/SIGTERM, and when
 * its stdout is gone (`up | head -1`), exiting 141 then as SIGPIPE would.
 * Resolves, once stopped, with its exit code: 141 then, 143 for SIGTERM under
 * pm2, 1 when another swarm took its key prefix, else 0.
 */
async function runForeground(paths: HomePaths, configFile: string, redisOptOuts: RedisOptOuts, logTasks: boolean, host: string | null): Promise<number> {
  const config = loadConfig({ explicit: configFile, cwd: process.cwd(), home: paths.root });
  const lock = await acquireHomeLock(paths.root, "up");
  const readyFile = join(paths.runDir, "daemon.ready");
  let stdoutOpen = true;
  const say = (line: string): void => void (stdoutOpen && process.stdout.write(`${line}\n`));
  let stopRequested: (reason: string) => void = () => undefined;
  let exitCode = 0;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const onSignal = (signal: string) => () => stopRequested(`received ${signal}: stopping intake; running jobs stay in their panes`);
  const onInt = onSignal("SIGINT");
  const onTerm = (): void => {
    if (process.env.pm_id !== undefined) exitCode = EXIT_STOPPED_UNDER_PM2;
    onSignal("SIGTERM")();
  };
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  const disposeStdout = onStdoutClosed(() => {
    stdoutOpen = false;
    exitCode = EXIT_STDOUT_CLOSED;
    stopRequested("stdout was closed: stopping intake; running jobs stay in their panes");
  });
  try {
    writePid(paths.daemonPid);
    rmSync(readyFile, { force: true });
    const swarm = await startSwarm({
      home: paths.root,
      config,
      lock,
      progress: say,
      redisOptOuts,
      host,
      version: ownVersion(),
      onPrefixLost: (holder) => {
        exitCode = 1;
        stopRequested(`error: the swarm of home ${holder.home} (host ${holder.host}, pid ${holder.pid}) took this swarm's key prefix: stopping`);
      },
    });
    let unfinished: { cancel(): void } | null = null;
    try {
      const here = swarm.bridge.agentSessions;
      const counts = config.agents.map((a) => [a.name, here.filter((s) => s.agent === a.name).length] as const).filter(([, n]) => n > 0 || host === null);
      say(`ready: ${counts.map(([name, n]) => `${name}×${n}`).join(", ") || "no sessions on this host"}${host ? ` on host ${host}` : ""} (home ${paths.root})`);
      // Pasted as printed, each must reach this swarm: --home when it is not the default home.
      say(`  submit:  ${agentCommand(paths.root, "submit", "--task", "echo hello", "--wait")}`);
      say(`  watch:   ${agentCommand(paths.root, "attach", config.agents[0]?.name ?? "AGENT")}`);
      say(`  stop:    Ctrl-C here (agents keep running in tmux), or ${agentCommand(paths.root, "down")}`);
      writeFileSync(readyFile, `${process.pid}\n`);
      process.send?.("ready"); // pm2 wait_ready
      const taskLog = logTasks ? startTaskLog({ target: redisTarget(paths), prefix: swarm.prefix, say }) : null;
      const reason = await stopped;
      say(reason);
      if (!stdoutOpen) process.stderr.write(`${reason}\n`);
      unfinished = stopWithin(STOP_DEADLINE_MS, readyFile, paths.daemonPid, () => exitCode);
      await taskLog?.close();
    } finally {
      await swarm.close();
      unfinished?.cancel();
    }
    say("stopped");
    return exitCode;
  } finally {
    rmSync(readyFile, { force: true });
    removePid(paths.daemonPid);
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    disposeStdout();
    await lock.release();
  }
}

/**
 * Once stopping has begun: exits the process if it has not finished within `deadlineMs`, or at once on a
 * second SIGINT or SIGTERM (a person pressing Ctrl-C again), saying so. What was not closed is what waits on
 * Redis; the panes live on, and the next `up` takes the home, as after kill -9. The stop it cuts short
 * never returns its code, so it exits with it here (`exitCode()`), or with EXIT_STOP_UNFINISHED for a 0.
 */
function stopWithin(deadlineMs: number, readyFile: string, pidFile: string, exitCode: () => number): { cancel(): void } {
  const exit = (why: string): void => {
    process.stderr.write(`${why}: exiting now; the agents keep running in tmux. Is Redis reachable? \`claude-agent doctor\` checks.\n`);
    rmSync(readyFile, { force: true });
    removePid(pidFile);
    process.exit(exitCode() || EXIT_STOP_UNFINISHED);
  };
  const timer = setTimeout(() => exit(`stopping did not finish within ${deadlineMs / 1000} s`), deadlineMs);
  const again = (signal: string) => () => exit(`received ${signal} again while stopping`);
  const onInt = again("SIGINT");
  const onTerm = again("SIGTERM");
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  return {
    cancel() {
      clearTimeout(timer);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

/** The `up` arguments that carry the Redis opt-outs to a detached daemon. */
function optOutArgs(optOuts: RedisOptOuts): string[] {
  return [...(optOuts.allowWithoutAuth ? [ALLOW_WITHOUT_AUTH] : []), ...(optOuts.allowWithoutTls ? [ALLOW_WITHOUT_TLS] : [])];
}

/**
 * Starts the swarm in the background and returns once it is ready: a keeper process (keep.ts) runs
 * the daemon and starts it again if it dies without `down`, so a detached swarm heals itself.
 */
export async function startDetached(
  paths: HomePaths,
  configFile: string,
  optOuts: RedisOptOuts = {},
  host: string | null = null,
): Promise<{ pid: number; log: string; notes: string[] }> {
  const readyFile = join(paths.runDir, "daemon.ready");
  const logFile = join(paths.logsDir, "daemon.out");
  const logFrom = existsSync(logFile) ? statSync(logFile).size : 0;
  rmSync(readyFile, { force: true }); // a stale one (its daemon killed -9) must not pass for this start
  const out = openSync(logFile, "a");
  const hostArgs = host === null ? [] : ["--host", host];
  const keeper = spawn(process.execPath, [process.argv[1]!, "--home", paths.root, "keep", "--config", configFile, ...hostArgs, ...optOutArgs(optOuts)], {
    detached: true,
    stdio: ["ignore", out, out],
    env: process.env,
  });
  closeSync(out);
  keeper.unref();
  const keeperPid = keeper.pid!;
  const deadline = Date.now() + DETACH_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const pid = existsSync(readyFile) ? Number.parseInt(readFileSync(readyFile, "utf8").trim(), 10) : Number.NaN;
    if (Number.isInteger(pid) && isAlive(pid)) return { pid, log: logFile, notes: startNotes(logFile, logFrom) };
    if (!isAlive(keeperPid)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  if (isAlive(keeperPid)) process.kill(keeperPid, "SIGTERM");
  throw new EnvironmentError(`the background swarm did not become ready`, { hint: `Its log (${logFile}) ends with:\n${tail}` });
}

/**
 * What the background daemon said at start that the person running `up --detach` must see, read from its
 * log past `from`: the swarm.yaml version of a host and which hosts still run another text (swarm-runtime.ts).
 */
function startNotes(logFile: string, from: number): string[] {
  const fd = openSync(logFile, "r");
  try {
    const added = Buffer.alloc(Math.max(0, statSync(logFile).size - from));
    readSync(fd, added, 0, added.length, from);
    return added
      .toString("utf8")
      .split("\n")
      .filter((line) => line.startsWith("config: swarm.yaml "));
  } finally {
    closeSync(fd);
  }
}
