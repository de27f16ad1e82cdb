import { readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { processAlive, processArgv, processEnvVar } from "../core/index.js";

/** Reads a pid file; returns the pid only if that process is alive (a zombie counts as gone). Never a reason to signal it. */
export function livePid(file: string): number | null {
  const pid = readPid(file);
  return pid !== null && isAlive(pid) ? pid : null;
}

function readPid(file: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Zombie-aware liveness (core/process.ts), under the name the CLI and its tests use. */
export const isAlive = processAlive;

export function writePid(file: string, pid = process.pid): void {
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
}

export function removePid(file: string): void {
  rmSync(file, { force: true });
}

export type PidFileVerdict =
  | { readonly kind: "none" }
  /** The pid is this home's daemon, judged by its command line. */
  | { readonly kind: "daemon"; readonly pid: number }
  /** The pid is alive but is something else (the pid was reused, or it is another home's daemon): never signal it. */
  | { readonly kind: "stranger"; readonly pid: number; readonly command: string };

/**
 * What the daemon pid file of `home` names. A pid file outlives its process
 * and the kernel reuses pids, so the live process must be a `claude-agent up`
 * (node running our cli/main.js, or the `claude-agent` bin) for this very
 * home: `--home` on its command line, else its CLAUDE_AGENT_HOME, else the
 * default home. A daemon under pm2 runs inside pm2's wrapper and is not
 * recognised here: `down` finds daemons through the home's lock, and this is
 * only for a daemon of an older claude-agent that holds none.
 */
export function verifyDaemonPid(file: string, home: string, command: "up" | "keep" = "up"): PidFileVerdict {
  const pid = readPid(file);
  if (pid === null || !isAlive(pid)) return { kind: "none" };
  const argv = processArgv(pid);
  if (argv === null) return { kind: "stranger", pid, command: "(unreadable)" };
  return isDaemonOf(pid, argv, home, command) ? { kind: "daemon", pid } : { kind: "stranger", pid, command: argv.join(" ").slice(0, 200) };
}

function isDaemonOf(pid: number, argv: readonly string[], home: string, expected: "up" | "keep"): boolean {
  const cli = argv.findIndex((arg, i) => i <= 1 && (arg.endsWith(join("cli", "main.js")) || basename(arg) === "claude-agent"));
  if (cli < 0) return false;
  const rest = argv.slice(cli + 1);
  const homeAt = rest.indexOf("--home");
  const command = rest.filter((arg, i) => arg !== "--home" && rest[i - 1] !== "--home" && !arg.startsWith("--home="))[0];
  if (command !== expected) return false;
  let cwd: string;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return false;
  }
  const inline = rest.find((arg) => arg.startsWith("--home="))?.slice("--home=".length);
  const given = homeAt >= 0 ? rest[homeAt + 1] : inline;
  const theirs = given ?? processEnvVar(pid, "CLAUDE_AGENT_HOME") ?? join(homedir(), ".claude-agent");
  return resolve(cwd, theirs) === resolve(home);
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isAlive(pid);
}
