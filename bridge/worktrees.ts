/**
 * One git worktree per replica of a `worktree: true` agent, under
 * `$CLAUDE_AGENT_HOME/worktrees/<session>`, on branch `claude-agent/<session>`.
 * A worktree outlives the swarm (its work stays until `worktrees clean`),
 * and is never removed with uncommitted work in it: that work is saved to
 * `refs/claude-agent/wip/<name>` first: force-removing a dirty worktree is
 * how users of other multi-agent tools lost work, a recurring report in their
 * issue trackers.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { EnvironmentError, type AgentConfig } from "../core/index.js";
import { dirtyEntries, git, headOf, saveWorkInProgress } from "./git.js";
import { gitDirOf, isDirectory, isWorktreeOf, readLastTask, repositoryOfGitDir, repositoryTop, writeLastTask } from "./worktree-files.js";

export const WIP_REF_PREFIX = "refs/claude-agent/wip/";

export function worktreesDir(home: string): string {
  return join(home, "worktrees");
}

export function branchFor(session: string): string {
  return `claude-agent/${session}`;
}

/** `backend-api-2` → `backend-api` (replica numbers are the last hyphen-separated part). */
export function agentOfSession(session: string): string {
  const cut = session.lastIndexOf("-");
  return cut > 0 && /^\d+$/.test(session.slice(cut + 1)) ? session.slice(0, cut) : session;
}

export interface WorktreeInfo {
  readonly session: string;
  readonly agent: string;
  readonly path: string;
  /** False when the folder is no longer a git worktree (moved repository, hand-made folder): it is never removed. */
  readonly valid: boolean;
  readonly repository: string | null;
  readonly branch: string | null;
  readonly head: string | null;
  /** `git status --porcelain` entries: uncommitted changes and untracked files. */
  readonly dirty: number;
  /** The last task that ran in it. */
  readonly lastTask: string | null;
}

export interface Removal {
  readonly session: string;
  readonly path: string;
  readonly removed: boolean;
  /** Where uncommitted work was saved before removal. */
  readonly wipRef: string | null;
  readonly wipCommit: string | null;
  /** The branch stays: its commits are the agent's work. */
  readonly branch: string | null;
  readonly reason?: string;
}

export class Worktrees {
  /** git refuses concurrent `worktree add` on one repository (its lock files): one at a time per repository. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(readonly home: string) {}

  pathOf(session: string): string {
    return join(worktreesDir(this.home), session);
  }

  /** The folder a session works in: its worktree (at the same depth as `cwd` in the repository), or the agent's cwd. */
  cwdFor(agent: AgentConfig, session: string): string {
    if (!agent.worktree) return agent.cwd;
    const top = repositoryTop(agent.cwd);
    return top ? join(this.pathOf(session), relative(top, realpathSync(agent.cwd))) : this.pathOf(session);
  }

  /** Creates the session's worktree unless it exists (it keeps its work across restarts); returns the session's cwd. */
  async prepare(agent: AgentConfig, session: string): Promise<string> {
    if (!agent.worktree) return agent.cwd;
    let repo: string;
    try {
      repo = await git(agent.cwd).revparse(["--show-toplevel"]);
    } catch (cause) {
      throw new EnvironmentError(`agent ${agent.name}: ${agent.cwd} is not inside a git repository, so it cannot have worktrees`, {
        cause,
        hint: "Run `git init` there (and make a first commit), or set `worktree: false`.",
      });
    }
    const path = this.pathOf(session);
    await this.serial(repo, async () => {
      if (isWorktreeOf(path, repo)) return;
      if (existsSync(path) && readdirSync(path).length > 0) {
        throw new EnvironmentError(`${path} exists but is not a worktree of ${repo}; refusing to touch it`, {
          hint: "Move the folder away (it may hold work), then start the swarm again.",
        });
      }
      mkdirSync(worktreesDir(this.home), { recursive: true, mode: 0o700 });
      const g = git(repo);
      await g.raw(["worktree", "prune"]); // forgets worktrees whose folders were deleted by hand
      const branch = branchFor(session);
      const exists = (await g.raw(["branch", "--list", branch])) !== "";
      try {
        await g.raw(["worktree", "add", ...(exists ? [path, branch] : ["-b", branch, path, "HEAD"])]);
      } catch (cause) {
        const unborn = (await headOf(repo)) === null;
        throw new EnvironmentError(`cannot create the worktree ${path} of ${repo}: ${messageOf(cause)}`, {
          cause,
          hint: unborn ? "The repository has no commit yet: make a first commit." : `Check \`git -C ${repo} worktree list\`.`,
        });
      }
    });
    return this.cwdFor(agent, session);
  }

  /** Remembers the task running in a worktree, to name its work in progress if it is ever removed dirty. */
  noteTask(session: string, taskId: string): void {
    const dir = gitDirOf(this.pathOf(session));
    if (dir) writeLastTask(dir, taskId);
  }

  async list(): Promise<WorktreeInfo[]> {
    const root = worktreesDir(this.home);
    if (!existsSync(root)) return [];
    const sessions = readdirSync(root)
      .filter((name) => !name.startsWith(".") && isDirectory(join(root, name)))
      .sort();
    return Promise.all(sessions.map((session) => this.inspect(session)));
  }

  async inspect(session: string): Promise<WorktreeInfo> {
    const path = this.pathOf(session);
    const base = { session, agent: agentOfSession(session), path };
    const gitDir = gitDirOf(path);
    const repository = gitDir ? repositoryOfGitDir(gitDir) : null;
    if (!gitDir || !repository) return { ...base, valid: false, repository, branch: null, head: null, dirty: 0, lastTask: null };
    try {
      const g = git(path);
      // A branch symbolic-ref cannot read is none (a detached HEAD already answers "").
      const [branch, head, dirty] = await Promise.all([g.raw(["symbolic-ref", "--short", "-q", "HEAD"]).catch(() => ""), headOf(path), dirtyEntries(path)]);
      return { ...base, valid: true, repository, branch: branch || null, head, dirty: dirty.length, lastTask: readLastTask(gitDir) };
    } catch {
      return { ...base, valid: false, repository, branch: null, head: null, dirty: 0, lastTask: null };
    }
  }

  /**
   * Removes a session's worktree. Uncommitted work is first saved to
   * `refs/claude-agent/wip/<job>` (the given job, else the last task that ran
   * there, else `<session>-<timestamp>`); if it cannot be saved, the worktree stays.
   */
  async remove(session: string, options: { job?: string } = {}): Promise<Removal> {
    const info = await this.inspect(session);
    const base = { session, path: info.path, branch: info.branch };
    if (!info.valid || !info.repository) return { ...base, removed: false, wipRef: null, wipCommit: null, reason: "not a git worktree (left alone)" };
    const repo = info.repository;
    return this.serial(repo, async () => {
      let wipRef: string | null = null;
      let wipCommit: string | null = null;
      if ((await dirtyEntries(info.path)).length > 0) {
        wipRef = await freeRef(repo, options.job ?? info.lastTask ?? `${session}-${stamp()}`);
        const job = options.job ?? info.lastTask;
        const message = `claude-agent: work in progress of ${session}${job ? ` (task ${job})` : ""}, saved before its worktree was removed`;
        wipCommit = await saveWorkInProgress(info.path, wipRef, message);
        if (!wipCommit) {
          return { ...base, removed: false, wipRef: null, wipCommit: null, reason: "it has changes that could not be saved to a ref (left alone)" };
        }
      }
      try {
        // --force only once the work is safe: git refuses to remove a worktree with changes or untracked files.
        await git(repo).raw(["worktree", "remove", ...(wipCommit ? ["--force"] : []), info.path]);
      } catch (error) {
        return { ...base, removed: false, wipRef, wipCommit, reason: `git refused to remove it: ${messageOf(error)}` };
      }
      return { ...base, removed: true, wipRef, wipCommit };
    });
  }

  private serial<T>(repo: string, run: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(repo) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run); // the previous run's caller got its failure
    this.queues.set(repo, next);
    return next;
  }
}

/** `refs/claude-agent/wip/<name>`, or with a timestamp appended when that ref is taken. */
async function freeRef(repo: string, name: string): Promise<string> {
  const wanted = `${WIP_REF_PREFIX}${name}`;
  // A ref rev-parse cannot verify counts as free (a missing one already answers "").
  const taken =
    (await git(repo)
      .raw(["rev-parse", "--verify", "-q", wanted])
      .catch(() => "")) !== "";
  return taken ? `${wanted}-${stamp()}` : wanted;
}

/** A timestamp that is valid in a ref name (no colons): 20250101T101010Z. */
function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().split("\n").slice(-3).join(" ");
}
