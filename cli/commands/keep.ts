import { spawn } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ALLOW_WITHOUT_AUTH, ALLOW_WITHOUT_TLS, ensureHome, resolveHome } from "../../core/index.js";
import type { GlobalOptions } from "../context.js";
import { removePid, writePid } from "../pidfile.js";

/**
 * The keeper of a detached swarm (`up --detach` starts it, hidden as `claude-agent keep`): it runs
 * the daemon (`up`, in the foreground) and starts it again when it dies without being asked to, as
 * pm2 does for a swarm under `pm2 start ecosystem.config.js`. A daemon that exits 0 was stopped
 * (`down` sends SIGTERM; it exits 0): the keeper ends with it. A daemon that ends before it was
 * ever ready (a config error, a busy home) is not started again: `up --detach` reports it. A
 * daemon that keeps dying is given up after RESTARTS_PER_WINDOW restarts in WINDOW_MS, so a
 * broken machine does not spin.
 */
export interface KeepOptions extends GlobalOptions {
  config: string;
  unsafeAllowRedisWithoutAuth?: boolean;
  unsafeAllowRedisWithoutTls?: boolean;
  /** `up --host NAME`, passed on to every start of the daemon. */
  host?: string;
}

const RESTART_DELAYS_MS = [200, 1000, 2000, 5000];
const RESTARTS_PER_WINDOW = 5;
const WINDOW_MS = 60_000;

export async function keep(options: KeepOptions): Promise<number> {
  const paths = ensureHome(resolveHome(options.home));
  const readyFile = join(paths.runDir, "daemon.ready");
  const logFile = join(paths.logsDir, "daemon.out");
  const optOuts = [
    ...(options.host !== undefined ? ["--host", options.host] : []),
    ...(options.unsafeAllowRedisWithoutAuth ? [ALLOW_WITHOUT_AUTH] : []),
    ...(options.unsafeAllowRedisWithoutTls ? [ALLOW_WITHOUT_TLS] : []),
  ];
  // SIGTERM ends the keeping, not the swarm: `down` sends it first, then stops the daemon itself.
  const stopping = new AbortController();
  const onTerm = (): void => stopping.abort();
  process.once("SIGTERM", onTerm);
  writePid(paths.keeperPid);
  const restarts: number[] = [];
  try {
    while (!stopping.signal.aborted) {
      const ran = await runDaemon(paths.root, options.config, optOuts, logFile, readyFile);
      if (ran.code === 0 || !ran.ready || stopping.signal.aborted) return ran.code ?? 0;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && now - restarts[0]! > WINDOW_MS) restarts.shift();
      const why = ran.signal ? `was killed by ${ran.signal}` : `exited with code ${ran.code}`;
      if (restarts.length > RESTARTS_PER_WINDOW) {
        note(logFile, `keeper: the daemon (pid ${ran.pid}) ${why}; it died ${restarts.length} times within ${WINDOW_MS / 1000} s, so it is not started again`);
        return 1;
      }
      const delay = RESTART_DELAYS_MS[Math.min(restarts.length - 1, RESTART_DELAYS_MS.length - 1)]!;
      note(
        logFile,
        `keeper: the daemon (pid ${ran.pid}) ${why}; starting it again in ${delay} ms (restart ${restarts.length}, at most ${RESTARTS_PER_WINDOW} a minute)`,
      );
      await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined); // `down` came: stop at once
    }
    return 0;
  } finally {
    process.off("SIGTERM", onTerm);
    removePid(paths.keeperPid);
  }
}

/** One run of the daemon, to its exit; `ready`: it wrote its ready file (a daemon that never did is not restarted). */
async function runDaemon(
  home: string,
  config: string,
  optOuts: readonly string[],
  logFile: string,
  readyFile: string,
): Promise<{ pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; ready: boolean }> {
  const out = openSync(logFile, "a");
  const daemon = spawn(process.execPath, [process.argv[1]!, "--home", home, "up", "--config", config, "--no-task-log", ...optOuts], {
    stdio: ["ignore", out, out],
    env: process.env,
  });
  closeSync(out);
  const pid = daemon.pid;
  let ready = false;
  // Looked at until the daemon is ready, then no more: the rest of its life is one wait for its exit.
  const watch = setInterval(() => {
    if (pid !== undefined && readText(readyFile) === String(pid)) {
      ready = true;
      clearInterval(watch);
    }
  }, 100);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => daemon.once("exit", (c, s) => resolve([c, s])));
  clearInterval(watch);
  // Killed just after it got ready, before a look: its ready file outlives a kill -9 (a clean exit removes it).
  ready ||= pid !== undefined && readText(readyFile) === String(pid);
  return { pid, code, signal, ready };
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

/** A line in the daemon's log, where `up --detach` told the person to look. */
function note(logFile: string, line: string): void {
  appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
}
