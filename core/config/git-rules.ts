/**
 * Cross-field rules of the worktree and gate keys, on the raw agent mapping
 * (so they report even when other fields are broken). `worktree: true`
 * needs the agent's cwd inside a git repository: found by looking for a
 * `.git` entry up the tree, with no git process, so loading stays cheap.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function gitProblems(agent: Record<string, unknown>, index: number, baseDir: string): string[] {
  const problems: string[] = [];
  const at = (key: string, message: string) => problems.push(`agents.${index}.${key}: ${message}`);
  if (agent.commit === true && agent.worktree !== true) at("commit", "needs `worktree: true` (commits are made on the replica's own branch)");
  if (agent.runtime === "shell" && typeof agent.gate_retries === "number" && agent.gate_retries > 0) {
    at("gate_retries", "gate retries re-prompt an agent program; a shell agent would only run the same command again");
  }
  if (agent.worktree === true) {
    const cwd = resolve(baseDir, typeof agent.cwd === "string" && agent.cwd !== "" ? agent.cwd : ".");
    const problem = repositoryProblem(cwd);
    if (problem) at("worktree", problem);
  }
  return problems;
}

/** Why `dir` cannot hold a worktree's repository, or null when it is inside one. */
export function repositoryProblem(dir: string): string | null {
  if (!isDirectory(dir)) return `needs cwd to be a folder inside a git repository; ${dir} does not exist`;
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return null;
    if (dirname(current) === current) break;
  }
  return `needs cwd inside a git repository; ${dir} is not in one (run \`git init\` there, or point cwd at a repository)`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
