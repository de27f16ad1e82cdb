import { hostname } from "node:os";
import type { Widgets } from "blessed";
import { ClaudeAgentError, remoteAttachArgs, SSH_CONFIG_ENV } from "../core/index.js";
import { placeAttach, type SwarmStatus } from "../client/index.js";
import { tmux } from "../sessions/index.js";

/** What runs in the terminal while attached: tmux here, or ssh to the session's host (core/hosts/remote-attach.ts). */
export interface AttachCommand {
  readonly program: string;
  readonly args: readonly string[];
  /** The host it is on, when not this one. */
  readonly host?: string;
}

/**
 * The command that attaches to `session`, the CLI's `attach` rules: this home's tmux server when it runs
 * the session, else (a swarm with `hosts:`) ssh to the host the records place it on. A session that cannot
 * be reached is a ClaudeAgentError whose message and hint the dashboard shows.
 */
export async function attachCommand(socket: string, home: string, session: string, status: Pick<SwarmStatus, "sessions" | "hosts">): Promise<AttachCommand> {
  const listing = await tmux(socket, ["list-sessions", "-F", "#{session_name}"]);
  const local = listing.ok ? listing.stdout.split("\n").filter((name) => name && !name.startsWith("_")) : null;
  const place = placeAttach(session, local, status, { home, machine: hostname(), command: (...args) => ["claude-agent", ...args].join(" ") });
  if (place.where === "local") return { program: "tmux", args: ["-S", socket, "attach-session", "-t", `=${place.session}`] };
  // As the CLI's attach without --write: another host's session is watched, not typed into.
  const remote = { host: place.host, ssh: place.ssh, tmuxSocket: place.tmuxSocket, session: place.session, readOnly: true };
  return { program: "ssh", args: remoteAttachArgs(remote, process.env[SSH_CONFIG_ENV] || undefined), host: place.host };
}

export function describeAttachError(error: unknown): string {
  if (error instanceof ClaudeAgentError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Hands the terminal to `command` (`tmux attach`, or ssh running it on another host): blessed leaves
 * the alternate screen, stops reading keys and restores cooked mode; when it exits (the user detached),
 * blessed takes the terminal back and redraws, and `back` runs.
 */
export function attachInTerminal(screen: Widgets.Screen, command: AttachCommand, back: (outcome: { code: number | null; error?: Error }) => void): void {
  const env = { ...process.env };
  // We may run inside tmux ourselves: attaching to another server from there is what the user asked for.
  delete env.TMUX;
  const child = screen.spawn(command.program, [...command.args], { env } as never);
  let done = false;
  const finish = (code: number | null, error?: Error) => {
    if (done) return;
    done = true;
    back({ code, error });
  };
  child.on("exit", (code) => finish(code));
  child.on("error", (error) => finish(null, error));
}
