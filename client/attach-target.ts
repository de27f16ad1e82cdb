import { NotFoundError, NotRunningError, EnvironmentError, UsageError } from "../core/index.js";
import type { SwarmStatus } from "./status.js";

/** Where `attach` (the CLI's and the TUI's) finds a session: on this home's tmux server, or on another host's over ssh. */
export type AttachPlace =
  | { readonly where: "local"; readonly session: string }
  | { readonly where: "remote"; readonly session: string; readonly host: string; readonly ssh: string; readonly tmuxSocket: string };

/** This home as the hosts' records name it: a host is this one when its record has this home on this machine. */
export interface AttachHere {
  readonly home: string;
  readonly machine: string;
  /** How a person runs a claude-agent command here (cli/command-line.ts' agentCommand), for hints. */
  readonly command: (...args: string[]) => string;
}

/** `backend-api` means its first replica, `backend-api-1`; a session name means itself. */
export function matchSession(names: readonly string[], target: string): string | null {
  return names.includes(target) ? target : names.includes(`${target}-1`) ? `${target}-1` : null;
}

/**
 * Finds the session `target` names in a swarm with `hosts:`, from the hosts' records (`status`):
 * `local` sessions are this home's tmux server's (null: it has none). A session of another host is
 * reached over that host's `ssh:` target; a host that is not up, or has no `ssh:`, is a typed error
 * saying what to do instead.
 */
export function placeAttach(target: string, local: readonly string[] | null, status: Pick<SwarmStatus, "sessions" | "hosts">, here: AttachHere): AttachPlace {
  const mine = local ? matchSession(local, target) : null;
  if (mine !== null) return { where: "local", session: mine };
  const all = status.sessions.map((s) => s.name);
  const name = matchSession(all, target);
  if (name === null) {
    const listed = status.sessions.map((s) => (status.hosts ? `${s.name} (${s.host})` : s.name)).join(", ");
    throw new NotFoundError(`no agent session "${target}"`, { hint: `Sessions: ${listed || "none"}.` });
  }
  const host = status.hosts?.find((h) => h.sessions.includes(name));
  if (host === undefined) {
    // One host: the session is this home's, and its tmux server does not run it.
    throw new NotRunningError(`session ${name} is not running here`, { hint: `Start the swarm with \`${here.command("up")}\`.` });
  }
  if (host.home === here.home && host.machine === here.machine)
    throw new NotRunningError(`session ${name} of host ${host.name} (this one) is not running on its tmux server`, {
      hint: `Start this host's daemon with \`${here.command("up", "--host", host.name)}\`; \`${here.command("status")}\` shows its sessions.`,
    });
  if (host.state !== "up") {
    const state = host.state === "never" ? "has never been started" : host.state === "stopped" ? "is stopped" : "is silent (its daemon stopped beating)";
    throw new NotRunningError(`session ${name} is on host ${host.name}, which ${state}`, {
      hint: `Start it on that machine with \`claude-agent up --host ${host.name}\`; \`${here.command("status")}\` shows each host's state.`,
    });
  }
  if (host.ssh === null)
    throw new UsageError(`session ${name} is on host ${host.name}, which has no \`ssh:\` target in swarm.yaml`, {
      hint: `Add \`ssh: user@machine\` under hosts.${host.name} in swarm.yaml (then \`up\` again), or attach on that machine: claude-agent attach ${name}`,
    });
  if (host.tmuxSocket === null)
    throw new EnvironmentError(`host ${host.name} did not publish its tmux socket`, { hint: `Restart its daemon: claude-agent up --host ${host.name}.` });
  return { where: "remote", session: name, host: host.name, ssh: host.ssh, tmuxSocket: host.tmuxSocket };
}
