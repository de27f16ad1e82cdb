import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { basename } from "node:path";
import type { SwarmConfig } from "./types.js";

/**
 * What stops agents from starting where swarm.yaml puts them, as config
 * problems. Checked by `up` only (a client reading the config may run where
 * the folders are not):
 * - a `cwd` that is not a folder: tmux would start the session in the home
 *   instead, and the agent would run its tasks somewhere else;
 * - a worktree agent whose repository has no commit yet (`git init` and
 *   nothing else): a worktree needs a commit to branch from.
 */
export function startProblems(config: Pick<SwarmConfig, "agents" | "source">): string[] {
  const file = basename(config.source);
  return config.agents.flatMap((agent, index) => {
    if (!isDirectory(agent.cwd)) return [`${file}: agents.${index}.cwd: ${agent.cwd} is not a folder (agent ${agent.name})`];
    if (agent.worktree && !hasCommit(agent.cwd))
      return [
        `${file}: agents.${index}.worktree: the repository at ${agent.cwd} has no commit yet, and a worktree branches from one (agent ${agent.name}); make a first commit: git -C ${agent.cwd} commit --allow-empty -m "first commit"`,
      ];
    return [];
  });
}

/** Whether the git repository holding `dir` has a commit at HEAD (one git process). */
export function hasCommit(dir: string): boolean {
  return spawnSync("git", ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: dir, stdio: "ignore" }).status === 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
