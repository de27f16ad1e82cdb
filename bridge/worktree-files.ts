/**
 * What a linked worktree's files say about it, read without running git:
 * its `.git` file points at `<repo>/.git/worktrees/<name>`, whose
 * `commondir` leads back to the repository. The last task that ran in a
 * worktree is noted beside them, to name its work in progress.
 */
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

export const LAST_TASK_FILE = "claude-agent-last-task";

/** The top folder of the repository holding `dir` (the one with `.git`), found without running git. */
export function repositoryTop(dir: string): string | null {
  for (let current = realpathSync(dir); ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return null;
  }
}

/** A linked worktree's `.git` is a file: `gitdir: <repo>/.git/worktrees/<name>`. */
export function gitDirOf(path: string): string | null {
  try {
    const text = readFileSync(join(path, ".git"), "utf8");
    const match = /^gitdir: (.+)$/m.exec(text);
    if (!match) return null;
    const dir = match[1]!.trim();
    return isAbsolute(dir) ? dir : resolve(path, dir);
  } catch {
    return null;
  }
}

/** `<repo>/.git/worktrees/<name>` → `<repo>` (when `commondir` points at a `.git` folder that still exists). */
export function repositoryOfGitDir(gitDir: string): string | null {
  try {
    const common = resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim());
    if (!existsSync(common)) return null;
    return common.endsWith(".git") ? dirname(common) : common;
  } catch {
    return null;
  }
}

export function isWorktreeOf(path: string, repo: string): boolean {
  const gitDir = gitDirOf(path);
  if (!gitDir || !existsSync(gitDir)) return false;
  const owner = repositoryOfGitDir(gitDir);
  return owner !== null && realpathSync(owner) === realpathSync(repo);
}

export function readLastTask(gitDir: string): string | null {
  try {
    return readFileSync(join(gitDir, LAST_TASK_FILE), "utf8").trim() || null;
  } catch {
    return null;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function writeLastTask(gitDir: string, taskId: string): void {
  writeFileSync(join(gitDir, LAST_TASK_FILE), `${taskId}\n`);
}
