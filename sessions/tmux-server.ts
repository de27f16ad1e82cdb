import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { EnvironmentError } from "../core/index.js";

/** The session every agent window is also linked into, so one control client sees all panes. */
export const HUB_SESSION = "_hub";

/**
 * Server options that must hold before the first pane exists (history-limit
 * applies only to panes created after it is set; exit-empty off keeps the
 * server up while agents restart: with exit-empty on, killing the last
 * session stops the server and a `new-session` right after it fails).
 * What a task prints must not reach the terminal of a person attached:
 * set-clipboard pinned to "external" (tmux 3.3a, measured: with "on" a pane's
 * OSC 52 went on to the attached terminal's clipboard; with "external" it is
 * ignored while copy mode still copies out), and no window renames from
 * escape sequences.
 */
export function tmuxConfig(): string {
  return [
    "set -g exit-empty off",
    "set -g history-limit 50000",
    "set -g remain-on-exit off",
    "set -g default-terminal screen-256color",
    "set -g status-style bg=colour236,fg=colour250",
    "set -g status-left '[#{session_name}] '",
    "set -g status-left-length 40",
    "set -g status-right 'claude-agent · detach: C-b d'",
    "set -g window-size latest",
    "set -g set-clipboard external",
    "set -g allow-rename off",
    "",
  ].join("\n");
}

export interface TmuxServerPaths {
  readonly tmuxSocket: string;
  readonly tmuxConf: string;
}

/** Runs one short tmux command on our private socket (forks a client: for set-up only). */
export async function tmux(socket: string, args: readonly string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
    const result = await execa("tmux", ["-S", socket, ...args], { reject: false, stdin: "ignore" });
    return { ok: result.exitCode === 0, stdout: result.stdout, stderr: result.stderr };
  } catch (cause) {
    throw new EnvironmentError("tmux is not installed or cannot run", {
      cause,
      hint: "Install it: sudo apt-get install -y tmux",
    });
  }
}

/**
 * Starts the private tmux server with its hub session, unless it already runs.
 * tmux daemonizes its server, so it outlives whichever of our processes
 * started it: restarting the orchestrator never kills the agents.
 */
export async function ensureTmuxServer(paths: TmuxServerPaths): Promise<{ started: boolean }> {
  writeFileSync(paths.tmuxConf, tmuxConfig(), { mode: 0o600 });
  const probe = await tmux(paths.tmuxSocket, ["has-session", "-t", `=${HUB_SESSION}`]);
  if (probe.ok) return { started: false };
  const started = await tmux(paths.tmuxSocket, [
    "-f",
    paths.tmuxConf,
    "new-session",
    "-d",
    "-s",
    HUB_SESSION,
    "-x",
    "80",
    "-y",
    "24",
    "tail",
    "-f",
    "/dev/null",
  ]);
  if (!started.ok) {
    throw new EnvironmentError(`cannot start the tmux server on ${paths.tmuxSocket}: ${started.stderr.trim()}`, {
      hint: "Run `claude-agent doctor`; a stale socket can be removed with `claude-agent down`.",
    });
  }
  return { started: true };
}

export async function killTmuxServer(socket: string): Promise<boolean> {
  const result = await tmux(socket, ["kill-server"]);
  return result.ok;
}

/**
 * tmux processes (servers, control clients) started on `socket` that
 * `kill-server` cannot reach: a server whose socket file was unlinked or
 * replaced lives on with no way to address it. Found by their command line
 * (`tmux -S <socket> …`, unique to one home); those still there after
 * `graceMs` (processes already exiting after kill-server get that long) are
 * sent SIGTERM. Linux only (/proc); elsewhere it finds nothing. Returns the
 * pids signalled.
 */
export async function killStrayTmux(socket: string, graceMs = 300): Promise<number[]> {
  let found = tmuxProcessesOn(socket);
  const deadline = Date.now() + graceMs;
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    found = tmuxProcessesOn(socket);
  }
  const killed: number[] = [];
  for (const pid of found) {
    try {
      process.kill(pid, "SIGTERM");
      killed.push(pid);
    } catch {
      // already gone
    }
  }
  return killed;
}

function tmuxProcessesOn(socket: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    let state: string;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      state = readFileSync(`/proc/${entry}/stat`, "utf8")
        .replace(/^.*\) /s, "")
        .charAt(0);
    } catch {
      continue; // gone meanwhile
    }
    const at = argv.indexOf("-S");
    if (state === "Z" || !/(^|\/)tmux$/.test(argv[0] ?? "") || at < 0 || argv[at + 1] !== socket) continue;
    found.push(Number(entry));
  }
  return found;
}

export async function tmuxServerRunning(socket: string): Promise<boolean> {
  return (await tmux(socket, ["has-session", "-t", `=${HUB_SESSION}`])).ok;
}
