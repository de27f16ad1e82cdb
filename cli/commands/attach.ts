import { spawnSync } from "node:child_process";
import { EnvironmentError, NotFoundError, UsageError } from "../../core/index.js";
import { tmux } from "../../sessions/index.js";
import { homeOf, type GlobalOptions } from "../context.js";

/** Attaches the user's terminal to an agent's session: plain `tmux attach`, so detaching (C-b d) leaves it running. */
export async function attach(target: string, options: GlobalOptions & { readOnly?: boolean }): Promise<void> {
  const paths = homeOf(options);
  const listing = await tmux(paths.tmuxSocket, ["list-sessions", "-F", "#{session_name}"]);
  if (!listing.ok) throw new EnvironmentError(`no tmux server for this swarm at ${paths.tmuxSocket}`, { hint: "Start the swarm with `claude-agent up`." });
  const sessions = listing.stdout.split("\n").filter((name) => name && !name.startsWith("_"));
  const name = sessions.includes(target) ? target : sessions.includes(`${target}-1`) ? `${target}-1` : null;
  if (!name) throw new NotFoundError(`no agent session "${target}"`, { hint: `Sessions: ${sessions.join(", ") || "none"}.` });
  if (!process.stdin.isTTY)
    throw new UsageError("attach needs a terminal", { hint: `From a script, read the pane with: tmux -S ${paths.tmuxSocket} capture-pane -p -t ${name}` });
  const args = ["-S", paths.tmuxSocket, "attach-session", "-t", `=${name}`, ...(options.readOnly ? ["-r"] : [])];
  const result = spawnSync("tmux", args, { stdio: "inherit", env: { ...process.env, TMUX: "" } });
  process.exitCode = result.status ?? 1;
}
