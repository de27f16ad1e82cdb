import { rmSync } from "node:fs";
import { join } from "node:path";
import { homePaths, redisTarget, resolveHome, stopEmbeddedRedis } from "../../core/index.js";
import { killStrayTmux, killTmuxServer } from "../../sessions/index.js";
import { printJson, type GlobalOptions } from "../context.js";
import { livePid, removePid, waitForExit } from "../pidfile.js";

/** How long the daemon gets to close before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export async function down(options: GlobalOptions & { json?: boolean; quiet?: boolean }): Promise<void> {
  const paths = homePaths(resolveHome(options.home));
  const stopped: string[] = [];
  const pid = livePid(paths.daemonPid);
  if (pid) {
    process.kill(pid, "SIGTERM");
    if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
      process.kill(pid, "SIGKILL");
      await waitForExit(pid, 2000);
      stopped.push(`daemon (pid ${pid}, killed after ${STOP_TIMEOUT_MS / 1000}s)`);
    } else stopped.push(`daemon (pid ${pid})`);
  }
  removePid(paths.daemonPid);
  rmSync(join(paths.runDir, "daemon.ready"), { force: true });
  if (await killTmuxServer(paths.tmuxSocket)) stopped.push("tmux sessions");
  // A tmux server that lost its socket file cannot be told to stop; it would outlive the swarm.
  const strays = await killStrayTmux(paths.tmuxSocket);
  if (strays.length > 0) stopped.push(`${strays.length} unreachable tmux process${strays.length === 1 ? "" : "es"}`);
  rmSync(paths.tmuxSocket, { force: true });
  if (redisTarget(paths).kind === "embedded" && (await stopEmbeddedRedis(paths))) stopped.push("redis");
  if (options.quiet) return;
  if (options.json) printJson({ home: paths.root, stopped });
  else process.stdout.write(stopped.length ? `stopped: ${stopped.join(", ")}\n` : `nothing was running in ${paths.root}\n`);
}
