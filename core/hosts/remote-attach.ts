/**
 * `attach` to a session on another host of the swarm: `ssh -t -- TARGET LINE`, where LINE is the remote
 * `tmux attach-session` on that host's tmux server. ssh sends LINE as one string that the remote user's
 * login shell parses, so every word in it is quoted here (posixShellWord) and only checked values get in:
 * the ssh target as swarm.yaml allows it, a session name, and a tmux socket path the host published in
 * its heartbeat record. Nothing of a task ever goes into it.
 */
import { SSH_TARGET } from "../config/index.js";
import { EnvironmentError, UsageError } from "../errors.js";

/**
 * A word for a POSIX shell (sh, bash, dash, zsh): always single-quoted, each `'` written as `'\''`.
 * Inside single quotes nothing is special (no `$`, backquote, `\`, glob or newline meaning), so the
 * remote shell gets the word back byte for byte.
 */
export function posixShellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A session name as the swarm makes them (`<agent>-<n>`, AGENT_NAME plus the replica number). */
const SESSION_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
/**
 * A tmux socket path we send over ssh: absolute, and only characters that mean the same in every common
 * login shell inside single quotes (fish and csh treat `\` and `!` there specially, so they are refused).
 */
const REMOTE_PATH = /^\/[A-Za-z0-9_@%+=:,./ -]{1,1000}$/;

/** Where `CLAUDE_AGENT_SSH_CONFIG` points: an ssh_config file for `ssh -F` (a port, a key, a jump host of the swarm's hosts). */
export const SSH_CONFIG_ENV = "CLAUDE_AGENT_SSH_CONFIG";

export interface RemoteAttach {
  /** The host's name in swarm.yaml. */
  readonly host: string;
  /** Its `ssh:` target, `[user@]host`. */
  readonly ssh: string;
  /** The tmux socket of that host's home, as its daemon published it. */
  readonly tmuxSocket: string;
  readonly session: string;
  readonly readOnly: boolean;
  /** A writable attach that never resizes the pane (`-f ignore-size`: the web dashboard's take-over); read-only implies it. */
  readonly ignoreSize?: boolean;
}

/**
 * The remote command line. It runs that host's tmux directly rather than `claude-agent attach` there:
 * tmux is on every host of a swarm (its sessions are tmux sessions), while a `claude-agent` found through
 * the PATH of a non-interactive ssh command is often another one or none (nvm and npm prefixes are set
 * up in interactive shell files). `-t =NAME` matches the session name exactly, not as a prefix.
 */
export function remoteAttachLine(target: RemoteAttach): string {
  const mode = target.readOnly ? ["-r"] : target.ignoreSize ? ["-f", "ignore-size"] : [];
  return remoteTmuxLine(target, ["attach-session", "-t", `=${target.session}`, ...mode]);
}

/** The remote line asking that host's tmux for the session's window size, `WIDTH HEIGHT` (the web terminal sizes its pty by it). */
export function remoteWindowSizeLine(target: Omit<RemoteAttach, "readOnly">): string {
  return remoteTmuxLine(target, ["display-message", "-p", "-t", `=${target.session}:`, "#{window_width} #{window_height}"]);
}

/** `tmux -S SOCKET …` on the remote host, every word quoted, after checking the session name and the published socket path. */
function remoteTmuxLine(target: Pick<RemoteAttach, "host" | "tmuxSocket" | "session">, command: readonly string[]): string {
  if (!SESSION_NAME.test(target.session)) throw new UsageError(`not a session name: ${JSON.stringify(target.session)}`);
  if (!REMOTE_PATH.test(target.tmuxSocket))
    throw new EnvironmentError(`host ${target.host} published a tmux socket path attach will not send over ssh: ${JSON.stringify(target.tmuxSocket)}`, {
      hint: `Its daemon writes it at each beat; restart that host's daemon (claude-agent up --host ${target.host}), whose home path must be plain (letters, digits, / . _ - space).`,
    });
  return ["tmux", "-S", target.tmuxSocket, ...command].map(posixShellWord).join(" ");
}

/**
 * ssh's arguments (no local shell runs them). `-t`: a terminal on the remote side, which tmux needs.
 * `--` before the target: nothing after it is read as an ssh option. `configFile`: `-F` (CLAUDE_AGENT_SSH_CONFIG).
 */
export function remoteAttachArgs(target: RemoteAttach, configFile?: string, options: { batch?: boolean } = {}): string[] {
  return sshArgs(target, ["-t", ...(options.batch ? BATCH : [])], configFile, remoteAttachLine(target));
}

/**
 * ssh's arguments for remoteWindowSizeLine. BatchMode: run by a daemon (the web dashboard's terminal), ssh
 * must fail rather than ask a password nobody can type.
 */
export function remoteWindowSizeArgs(target: Omit<RemoteAttach, "readOnly">, configFile?: string): string[] {
  return sshArgs(target, BATCH, configFile, remoteWindowSizeLine(target));
}

const BATCH = ["-o", "BatchMode=yes"];

function sshArgs(target: Pick<RemoteAttach, "host" | "ssh">, options: readonly string[], configFile: string | undefined, line: string): string[] {
  if (!SSH_TARGET.test(target.ssh))
    throw new UsageError(`host ${target.host}: ${JSON.stringify(target.ssh)} is not an ssh target`, {
      hint: "swarm.yaml's `ssh:` is [user@]host, such as ml@gpu-1.",
    });
  return [...options, ...(configFile ? ["-F", configFile] : []), "--", target.ssh, line];
}
