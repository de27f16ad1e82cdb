import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { ClaudeAgentError, EnvironmentError, NotFoundError, posixShellWord, remoteAttachArgs, SSH_CONFIG_ENV, UsageError } from "../../core/index.js";
import { connect, matchSession, placeAttach, type AttachPlace } from "../../client/index.js";
import { tmux } from "../../sessions/index.js";
import { agentCommand, shellWord } from "../command-line.js";
import { homeOf, type GlobalOptions } from "../context.js";

/**
 * Attaches the user's terminal to an agent's session: plain `tmux attach`, so detaching (C-b d) leaves it
 * running. A session of another host of a swarm with `hosts:` is reached with `ssh -t` to that host's
 * `ssh:` target, running its tmux there (core/hosts/remote-attach.ts).
 */
export async function attach(target: string, options: GlobalOptions & { readOnly?: boolean; write?: boolean }): Promise<number> {
  if (options.readOnly && options.write) throw new UsageError("--read-only and --write contradict each other", { hint: "Give one of them." });
  const paths = homeOf(options);
  const listing = await tmux(paths.tmuxSocket, ["list-sessions", "-F", "#{session_name}"]);
  const local = listing.ok ? listing.stdout.split("\n").filter((name) => name && !name.startsWith("_")) : null;
  const direct = local ? matchSession(local, target) : null;
  const place: AttachPlace = direct !== null ? { where: "local", session: direct } : await findElsewhere(target, local, paths.root);
  if (place.where === "local") {
    const readOnly = options.readOnly === true;
    const name = place.session;
    if (!process.stdin.isTTY)
      throw new UsageError("attach needs a terminal", { hint: `From a script, read the pane with: tmux -S ${paths.tmuxSocket} capture-pane -p -t ${name}` });
    const args = ["-S", paths.tmuxSocket, "attach-session", "-t", `=${name}`, ...(readOnly ? ["-r"] : [])];
    const result = spawnSync("tmux", args, { stdio: "inherit", env: { ...process.env, TMUX: "" } });
    return result.status ?? 1;
  }
  // Another machine's session is watched, not typed into, unless --write says so: a key pressed there by
  // mistake reaches a program whose host you are not on (the issue's "read-only by default").
  const remote = { host: place.host, ssh: place.ssh, tmuxSocket: place.tmuxSocket, session: place.session, readOnly: options.write !== true };
  const args = remoteAttachArgs(remote, process.env[SSH_CONFIG_ENV] || undefined);
  if (!process.stdin.isTTY)
    throw new UsageError("attach needs a terminal", {
      hint: `Session ${place.session} is on host ${place.host}; from a script, read its pane with: ssh ${place.ssh} ${shellWord(["tmux", "-S", place.tmuxSocket, "capture-pane", "-p", "-t", `=${place.session}`].map(posixShellWord).join(" "))}`,
    });
  const result = spawnSync("ssh", args, { stdio: "inherit" });
  if (result.error)
    throw new EnvironmentError(`could not run ssh: ${result.error.message}`, { hint: "Install the OpenSSH client (apt-get install openssh-client)." });
  // 255 is ssh's own failure (refused, unknown host, no key); it has printed why.
  if (result.status === 255)
    throw new EnvironmentError(`ssh to ${place.ssh} (host ${place.host}) failed`, {
      hint: `Check \`ssh ${place.ssh} true\` works from here; a port, key or jump host goes in your ~/.ssh/config, or in a file named by ${SSH_CONFIG_ENV} (given to ssh -F).`,
    });
  return result.status ?? 1;
}

/**
 * The session is not on this home's tmux server: in a swarm with `hosts:` the hosts' records in Redis say
 * which host runs it. When Redis does not answer, the error is today's local one.
 */
async function findElsewhere(target: string, local: readonly string[] | null, home: string): Promise<AttachPlace> {
  let swarm: Awaited<ReturnType<typeof connect>>;
  try {
    swarm = await connect({ home });
  } catch (error) {
    if (!(error instanceof ClaudeAgentError)) throw error;
    if (local === null)
      throw new EnvironmentError(`no tmux server for this swarm at ${homeOf({ home }).tmuxSocket}, and its Redis does not answer (${error.message})`, {
        hint: `Start the swarm with \`${agentCommand(home, "up")}\`.`,
      });
    throw new NotFoundError(`no agent session "${target}"`, { hint: `Sessions: ${local.join(", ") || "none"}.` });
  }
  try {
    const status = await swarm.status();
    return placeAttach(target, local, status, { home, machine: hostname(), command: (...args) => agentCommand(home, ...args) });
  } finally {
    await swarm.close();
  }
}
