import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** The agents' places: `worktrees …`, `attach`, `logs`. */
export function agentCommands(cli: Command, { home, act }: ProgramContext): void {
  const worktrees = cli.command("worktrees").description("the agents' git worktrees ($CLAUDE_AGENT_HOME/worktrees/<agent>-<n>)");
  worktrees
    .command("list")
    .description("every worktree: its branch, uncommitted changes, and whether its agent is configured and running")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/worktrees.js")).list({ ...opts, home: home() })));
  worktrees
    .command("clean")
    .description("remove worktrees of agents no longer configured or not running; uncommitted work is saved to refs/claude-agent/wip/… first")
    .option("--agent <name>", "only this agent's worktrees")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/worktrees.js")).clean({ ...opts, home: home() })));

  cli
    .command("attach")
    .description(
      "attach your terminal to an agent's tmux session (detach with C-b d); a session on another host of the swarm is reached with `ssh -t` to that host's `ssh:` target in swarm.yaml (ssh options: ~/.ssh/config, or a file named by CLAUDE_AGENT_SSH_CONFIG)",
    )
    .argument("<agent>", "agent name (its first replica) or session name such as backend-api-2")
    .option("--read-only", "watch a session of this host without being able to type (tmux attach -r)")
    .option("--write", "type into a session of another host (over ssh, attach is read-only unless --write)")
    .action(act(async (agent, opts) => (await import("../commands/attach.js")).attach(agent, { ...opts, home: home() })));

  cli
    .command("logs")
    .description("the swarm's events (task and agent lifecycle)")
    .argument("[agent]", "only events of this agent")
    .option("-f, --follow", "keep printing new events")
    .option("-n, --lines <n>", "how many past events to show", "50")
    .option("--json", "one JSON object per line")
    .action(act(async (agent, opts) => (await import("../commands/logs.js")).logs(agent, { ...opts, home: home() })));
}
