/** Real git repositories in temp folders for the worktree and gate tests. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs git in `dir` with a fixed identity (the machine may have none) and returns its trimmed stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", ...args], { cwd: dir, encoding: "utf8" }).trim();
}

/** A repository with one commit holding README.md (and `files`). */
export function tempRepo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ca-repo-"));
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, "README.md"), "# project\n");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return dir;
}

/** Whether `ref` names an object in the repository. */
export function refExists(dir: string, ref: string): boolean {
  try {
    git(dir, "rev-parse", "--verify", "-q", ref);
    return true;
  } catch {
    return false;
  }
}
