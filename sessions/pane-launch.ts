/**
 * How a pane's program starts without any value from swarm.yaml inside a tmux
 * command. A control-mode command ends at a newline even inside quotes, and
 * tmux expands formats (`#(…)` runs a shell command) in a session's start
 * directory, so an env value, an argument or a folder name could otherwise
 * become a tmux command of its own. Instead, every pane runs the same fixed
 * command, `bash launch.bash <session>.launch`, and the launch file (0600,
 * written just before and removed by the launcher as soon as it has read it)
 * carries the pane's folder, its whole environment and its argv as
 * NUL-separated fields: no byte of them is ever parsed by tmux or a shell.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../core/index.js";

export interface PaneLaunch {
  readonly cwd: string;
  /** The pane's entire environment (TERM, set by tmux, is kept besides). */
  readonly env: Readonly<Record<string, string>>;
  readonly command: readonly string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORMAT = "ca-launch-1";

/**
 * The launcher. Reads and removes the launch file, clears the environment it
 * inherited from the tmux server (the daemon's), exports exactly the file's
 * entries, enters the folder and execs the program: the pane's pid is the
 * program's own.
 */
export function launcherScript(): string {
  return `# claude-agent pane launcher (generated; edits are overwritten)
# $1: a launch file of NUL-separated fields: ${FORMAT}, cwd, n, n NAME=value entries, argv.
mapfile -d '' -t __ca_f < "$1" || exit 111
rm -f -- "$1"
[[ \${__ca_f[0]} == ${FORMAT} && \${__ca_f[2]} =~ ^[0-9]+$ ]] || { printf 'claude-agent: %s is not a launch file\\n' "$1" >&2; exit 111; }
__ca_term=$TERM
unset -v $(compgen -e)
export TERM="$__ca_term"
(( __ca_f[2] == 0 )) || export -- "\${__ca_f[@]:3:__ca_f[2]}"
cd -- "\${__ca_f[1]}" || exit 112
export PWD
exec -- "\${__ca_f[@]:3+__ca_f[2]}"
`;
}

export function launcherPath(shellDir: string): string {
  return join(shellDir, "launch.bash");
}

export function writeLauncher(shellDir: string): string {
  const path = launcherPath(shellDir);
  writeFileSync(path, launcherScript(), { mode: 0o600 });
  return path;
}

/** Writes `<shellDir>/<name>.launch` and returns the fixed argv that starts the pane from it. */
export function writeLaunchFile(shellDir: string, name: string, launch: PaneLaunch): { file: string; argv: string[] } {
  if (launch.command.length === 0) throw new InfraError(`session ${name}: no program to run`);
  const env = Object.entries(launch.env).map(([key, value]) => {
    if (!ENV_NAME.test(key)) throw new InfraError(`session ${name}: ${JSON.stringify(key)} is not a variable name`);
    return `${key}=${value}`;
  });
  const fields = [FORMAT, launch.cwd, String(env.length), ...env, ...launch.command];
  if (fields.some((field) => field.includes("\0")))
    throw new InfraError(`session ${name}: a NUL byte cannot be part of an environment value, an argument or a folder`);
  const file = join(shellDir, `${name}.launch`);
  writeFileSync(file, fields.map((field) => `${field}\0`).join(""), { mode: 0o600 });
  return { file, argv: ["bash", "--noprofile", "--norc", launcherPath(shellDir), file] };
}

/** A launch file that no pane read (tmux refused the session): it holds the agent's env values. */
export function discardLaunchFile(file: string): void {
  rmSync(file, { force: true });
}
