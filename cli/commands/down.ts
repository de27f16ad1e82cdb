import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  acquireHomeLock,
  homeLockHolder,
  homePaths,
  processEnvVar,
  processStartTime,
  readHomeMarker,
  usesEmbeddedRedis,
  resolveHome,
  stopEmbeddedRedis,
  UsageError,
  type HomeLock,
  type LockHolder,
} from "../../core/index.js";
import { killStrayTmux, killTmuxServer } from "../../sessions/index.js";
import { agentCommand } from "../command-line.js";
import { printJson, type GlobalOptions } from "../context.js";
import { describeRunning, resumeIntake, runningTasks, stopIntake, swarmIfUp, waitForRunning } from "./down-tasks.js";
import { isAlive, removePid, verifyDaemonPid, waitForExit } from "../pidfile.js";

/** How long the daemon gets to close before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Stops the home's daemon, then, holding the home's lock so that no `up`
 * starts meanwhile, its tmux server and embedded Redis. Only a process proven
 * to be this home's daemon is ever signalled: the holder of the home's lock
 * (its pid and start time), or, for a daemon of an older claude-agent, the
 * pid file's process if its command line is `claude-agent up` for this home.
 */
export interface DownOptions extends GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  /** Stop intake, wait for the running tasks to end, then stop. */
  drain?: boolean;
  /** Stop without asking, even with tasks running. */
  force?: boolean;
}

export async function down(options: DownOptions): Promise<number> {
  const paths = homePaths(resolveHome(options.home));
  const stopped: string[] = [];
  const notes: string[] = [];
  const holder = await homeLockHolder(paths.root);
  if (holder === "silent")
    throw new UsageError(`the home ${paths.root} is held by a process that does not answer`, {
      hint: "It may be stopped (SIGSTOP); continue it or kill it, then run `claude-agent down` again.",
    });
  if (holder?.role === "down") throw new UsageError(`\`claude-agent down\` (pid ${holder.pid}) is already stopping ${paths.root}`);
  if (options.drain && options.force)
    throw new UsageError("--drain and --force do not go together", { hint: "--drain waits for running tasks; --force stops them now." });
  const swarm = holder && !options.quiet ? await swarmIfUp(paths.root) : null;
  let pausedByUs: string[] = [];
  try {
    if (swarm) {
      const running = await runningTasks(swarm);
      if (running.length > 0 && options.drain) {
        pausedByUs = await stopIntake(swarm);
        if (!(await drainOrInterrupt(swarm))) {
          await resumeIntake(swarm, pausedByUs);
          process.stderr.write("interrupted: nothing was stopped; intake resumed\n");
          return 130;
        }
      } else if (running.length > 0) {
        const what = `${describeRunning(running)}: stopping now ends them, and each runs again from the start at the next \`claude-agent up\``;
        if (
          !options.force &&
          process.stdin.isTTY &&
          !(await confirm(`${what}.\nStop anyway? (${agentCommand(paths.root, "down", "--drain")} waits for them) [y/N] `))
        ) {
          process.stderr.write("nothing was stopped\n");
          return 1;
        }
        notes.push(`${what} (\`${agentCommand(paths.root, "down", "--drain")}\` waits for running tasks instead)`);
      }
    }
    // The keeper of an `up --detach` swarm first, or it would start the daemon again. It takes SIGTERM as "stop
    // keeping" and ends with the daemon (or at once, between restarts); the daemon's own stop takes far longer.
    const keeper = verifyDaemonPid(paths.keeperPid, paths.root, "keep");
    if (keeper.kind === "daemon") process.kill(keeper.pid, "SIGTERM");
    if (holder) {
      const pm2App = processEnvVar(holder.pid, "pm_id") === undefined ? undefined : (processEnvVar(holder.pid, "name") ?? "claude-agent");
      stopped.push(await stopDaemon(holder));
      // ecosystem.config.js lists the exit code of a daemon stopped by SIGTERM under pm2 (143) in stop_exit_codes: pm2 leaves the app stopped, and says so in `pm2 ls`.
      if (pm2App) notes.push(`pm2 keeps its app "${pm2App}" stopped; \`pm2 start ${pm2App}\` starts it again`);
    }
    if (swarm && pausedByUs.length > 0) await resumeIntake(swarm, pausedByUs);
  } finally {
    await swarm?.close().catch(() => undefined); // the command is ending: a connection that fails to close goes with it
  }
  if (!holder) {
    const verdict = verifyDaemonPid(paths.daemonPid, paths.root);
    if (verdict.kind === "daemon") stopped.push(await stopDaemon({ pid: verdict.pid, start: processStartTime(verdict.pid) ?? "", role: "up" }));
    if (verdict.kind === "stranger")
      notes.push(`run/daemon.pid named pid ${verdict.pid}, which is not this home's daemon (${verdict.command}); it was not signalled`);
  }
  const lock = await lockForTeardown(paths.root);
  try {
    removePid(paths.daemonPid);
    rmSync(join(paths.runDir, "daemon.ready"), { force: true });
    if (await killTmuxServer(paths.tmuxSocket)) stopped.push("tmux sessions");
    // A tmux server that lost its socket file cannot be told to stop; it would outlive the swarm.
    const strays = await killStrayTmux(paths.tmuxSocket);
    if (strays.length > 0) stopped.push(`${strays.length} unreachable tmux process${strays.length === 1 ? "" : "es"}`);
    rmSync(paths.tmuxSocket, { force: true });
    if (usesEmbeddedRedis(paths) && (await stopEmbeddedRedis(paths))) stopped.push("redis");
  } finally {
    await lock?.release();
  }
  if (options.quiet) return 0;
  if (options.json) printJson({ home: paths.root, stopped, ...(notes.length ? { notes } : {}) });
  else {
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    process.stdout.write(stopped.length ? `stopped: ${stopped.join(", ")}\n` : `nothing was running in ${paths.root}\n`);
  }
  return 0;
}

/** The same process as `holder` still: its pid has not been handed to another since it answered. */
function sameProcess(holder: LockHolder): boolean {
  return isAlive(holder.pid) && (holder.start === "" || processStartTime(holder.pid) === holder.start);
}

async function stopDaemon(holder: LockHolder): Promise<string> {
  if (!sameProcess(holder)) return `daemon (pid ${holder.pid}, already gone)`;
  process.kill(holder.pid, "SIGTERM");
  if (await waitForExit(holder.pid, STOP_TIMEOUT_MS)) return `daemon (pid ${holder.pid})`;
  if (sameProcess(holder)) process.kill(holder.pid, "SIGKILL");
  await waitForExit(holder.pid, 2000);
  return `daemon (pid ${holder.pid}, killed after ${STOP_TIMEOUT_MS / 1000}s)`;
}

/** The home's lock for the teardown; null for a home no `up` of this version marked (nothing of ours takes its lock). */
async function lockForTeardown(root: string): Promise<HomeLock | null> {
  if (!readHomeMarker(root)?.id) return null;
  try {
    return await acquireHomeLock(root, "down");
  } catch (error) {
    const holder = await homeLockHolder(root);
    if (holder && holder !== "silent" && holder.role === "up") {
      throw new UsageError(`a new \`claude-agent up\` (pid ${holder.pid}) took ${root} while its old daemon stopped; it was left running`, {
        hint: "Run `claude-agent down` again to stop it too.",
      });
    }
    throw error;
  }
}

/** Waits for the running tasks; Ctrl-C stops waiting (false). */
async function drainOrInterrupt(swarm: Awaited<ReturnType<typeof swarmIfUp>> & object): Promise<boolean> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  try {
    return await waitForRunning(swarm, (line) => process.stderr.write(`${line}\n`), stop.signal);
  } finally {
    process.off("SIGINT", onSignal);
  }
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
