/**
 * The git operations of worktrees and job change tracking, through
 * simple-git (the one seam to the git binary). simple-git 4 strips GIT_*
 * variables of our own environment from every git it runs, so a bridge
 * started from a git hook cannot point these commands at the wrong repository.
 */
import { appendFileSync, chmodSync, copyFileSync, existsSync, rmSync, statSync, truncateSync } from "node:fs";
import { resolve } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { randomSuffix } from "../core/index.js";

/** The identity of commits we make when the repository has none configured (a CI box, a fresh container). */
const FALLBACK_IDENTITY = ["user.name=claude-agent", "user.email=claude-agent@localhost"];

export function git(dir: string, config: string[] = []): SimpleGit {
  return simpleGit({ baseDir: dir, config, trimmed: true, allowEnvironment: ["GIT_INDEX_FILE"] });
}

/** A working tree's state: its HEAD commit and a tree object of every file, untracked ones included (ignored ones not). */
export interface Snapshot {
  readonly head: string | null;
  readonly tree: string;
}

export async function headOf(dir: string): Promise<string | null> {
  // simple-git resolves a git that exits 1 without writing to stderr (an unborn branch here) with ""; one that fails otherwise has no head either.
  return (
    (await git(dir)
      .raw(["rev-parse", "--verify", "-q", "HEAD"])
      .catch(() => "")) || null
  );
}

/**
 * Writes the whole working tree as a tree object without touching the real
 * index or the files: `git add -A` into a copy of the index (so only changed
 * files are hashed again), then `write-tree`. Unlike `git stash create`, it
 * sees untracked files too.
 */
export async function snapshot(dir: string): Promise<Snapshot> {
  const head = await headOf(dir);
  const index = resolve(dir, await git(dir).revparse(["--git-path", "index"]));
  const temp = `${index}.claude-agent-${randomSuffix(8)}`;
  try {
    if (existsSync(index)) copyFileSync(index, temp);
    const scratch = git(dir).env({ ...gitEnv(), GIT_INDEX_FILE: temp });
    await scratch.raw(["add", "-A"]);
    const tree = await scratch.raw(["write-tree"]);
    return { head, tree };
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}.lock`, { force: true });
  }
}

/** What changed between two snapshots: file names (renames as a delete and an add) and `git diff --stat`. */
export async function changesBetween(dir: string, before: string, after: string): Promise<{ files: string[]; stat: string }> {
  if (before === after) return { files: [], stat: "" };
  const g = git(dir);
  const names = await g.raw(["diff", "--no-renames", "--name-only", "-z", before, after]);
  const files = names.split("\0").filter((name) => name !== "");
  const stat = files.length === 0 ? "" : await g.raw(["diff", "--no-renames", "--no-color", "--stat=200", before, after]);
  return { files, stat };
}

/**
 * Writes the patch between two snapshots to `file` (`git diff --output`, so a large patch never passes through
 * our memory) and cuts it at `maxBytes`, ending the file with a line that says so. Returns the patch's size.
 */
export async function writeDiff(dir: string, before: string, after: string, file: string, maxBytes: number): Promise<{ bytes: number; cut: boolean }> {
  // --no-ext-diff and --no-textconv: the repository's configured diff programs are the user's, not a task's output path.
  await git(dir).raw(["diff", "--no-renames", "--no-color", "--no-ext-diff", "--no-textconv", `--output=${file}`, before, after]);
  chmodSync(file, 0o600);
  const bytes = statSync(file).size;
  if (bytes <= maxBytes) return { bytes, cut: false };
  truncateSync(file, maxBytes);
  appendFileSync(file, `\n[diff cut at ${maxBytes} of ${bytes} bytes; the whole change is in the worktree's commit]\n`);
  return { bytes, cut: true };
}

/** Commits everything in the working tree; returns the new commit, or null when there was nothing to commit. */
export async function commitAll(dir: string, message: string): Promise<string | null> {
  const g = git(dir, await identity(dir));
  await g.raw(["add", "-A"]);
  const staged = await g.raw(["diff", "--cached", "--name-only"]);
  if (staged === "") return null;
  // --no-verify: the repository's hooks are the user's, for their own commits; a task's check is its gate.
  await g.raw(["commit", "--no-verify", "--quiet", "-m", message]);
  return headOf(dir);
}

/** The message of a commit, or null when it does not exist. */
export async function commitMessage(dir: string, rev: string): Promise<string | null> {
  try {
    return await git(dir).raw(["log", "-1", "--format=%B", rev]);
  } catch {
    return null;
  }
}

/**
 * Saves the working tree (untracked files too) as a commit on top of HEAD and
 * points `ref` at it. Returns the commit, or null when the tree holds nothing
 * that HEAD does not.
 */
export async function saveWorkInProgress(dir: string, ref: string, message: string): Promise<string | null> {
  const state = await snapshot(dir);
  const g = git(dir, await identity(dir));
  if (state.head && (await g.revparse([`${state.head}^{tree}`])) === state.tree) return null;
  const parent = state.head ? ["-p", state.head] : [];
  const commit = await g.raw(["commit-tree", state.tree, ...parent, "-m", message]);
  await g.raw(["update-ref", ref, commit]);
  return commit;
}

/** `git status --porcelain` lines: what a worktree holds that its HEAD does not. */
export async function dirtyEntries(dir: string): Promise<string[]> {
  const text = await git(dir).raw(["status", "--porcelain", "--untracked-files=all"]);
  return text.split("\n").filter((line) => line.trim() !== "");
}

/** -c settings for commits in a repository without a configured identity. */
async function identity(dir: string): Promise<string[]> {
  const g = git(dir);
  const [name, email] = await Promise.all([configValue(g, "user.name"), configValue(g, "user.email")]);
  return name && email ? [] : FALLBACK_IDENTITY;
}

async function configValue(g: SimpleGit, key: string): Promise<string | null> {
  try {
    return (await g.raw(["config", "--get", key])) || null;
  } catch {
    return null;
  }
}

/** `.env()` replaces the whole environment: keep what git needs to find itself and the user's config. */
function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "XDG_CONFIG_HOME", "LANG", "LC_ALL", "TMPDIR"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
