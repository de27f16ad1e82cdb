/**
 * The worktree and change-tracking building blocks against real git
 * repositories: snapshots that see untracked files, diffs between them,
 * worktrees made and found again, and removal that never loses work.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changesBetween, commitAll, saveWorkInProgress, snapshot, writeDiff } from "../../bridge/git.js";
import { JobChanges, commitMessageFor } from "../../bridge/job-changes.js";
import { Worktrees, agentOfSession } from "../../bridge/worktrees.js";
import { configFromObject, EnvironmentError, type AgentConfig, type TaskRecord } from "../../core/index.js";
import { git, refExists, tempRepo } from "./repo.js";

const dirs: string[] = [];
const track = (dir: string): string => (dirs.push(dir), dir);
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function agentAt(cwd: string, fields: Record<string, unknown> = {}): AgentConfig {
  return configFromObject({ agents: [{ name: "coder", runtime: "shell", cwd, worktree: true, ...fields }] }, { file: "/x/swarm.yaml", baseDir: "/" })
    .agents[0]!;
}

function record(id: string, task: string): TaskRecord {
  return {
    id,
    agent: "coder",
    session: "coder-1",
    status: "running",
    exitCode: null,
    output: "",
    outputFile: null,
    submittedAt: "",
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    attempts: 1,
    task,
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
  };
}

describe("snapshots and changes", () => {
  it("see new untracked files, edits and deletions, but not ignored files", async () => {
    const repo = track(tempRepo({ "a.txt": "a\n", ".gitignore": "build/\n" }));
    const before = await snapshot(repo);
    writeFileSync(join(repo, "new.txt"), "new\n");
    writeFileSync(join(repo, "a.txt"), "changed\n");
    unlinkSync(join(repo, "README.md"));
    mkdirSync(join(repo, "build"));
    writeFileSync(join(repo, "build", "out.js"), "ignored\n");
    const after = await snapshot(repo);
    const { files, stat } = await changesBetween(repo, before.tree, after.tree);
    expect(files.sort()).toEqual(["README.md", "a.txt", "new.txt"]);
    expect(stat).toMatch(/3 files changed/);
    // The real index and the files are untouched: new.txt is still untracked.
    expect(git(repo, "status", "--porcelain")).toContain("?? new.txt");
  });

  it("reports nothing for an unchanged tree", async () => {
    const repo = track(tempRepo());
    const a = await snapshot(repo);
    const b = await snapshot(repo);
    expect(a.tree).toBe(b.tree);
    expect(await changesBetween(repo, a.tree, b.tree)).toEqual({ files: [], stat: "" });
  });

  it("commits everything, with an identity even where none is configured", async () => {
    const repo = track(tempRepo());
    writeFileSync(join(repo, "x.txt"), "x\n");
    const sha = await commitAll(repo, "add x\n\nbody");
    expect(sha).toBe(git(repo, "rev-parse", "HEAD"));
    expect(git(repo, "log", "-1", "--format=%s")).toBe("add x");
    expect(await commitAll(repo, "nothing")).toBeNull();
  });

  it("saves work in progress (untracked files too) to a ref without touching the tree", async () => {
    const repo = track(tempRepo());
    writeFileSync(join(repo, "draft.txt"), "half done\n");
    writeFileSync(join(repo, "README.md"), "# edited\n");
    const sha = await saveWorkInProgress(repo, "refs/claude-agent/wip/t1", "wip");
    expect(git(repo, "rev-parse", "refs/claude-agent/wip/t1")).toBe(sha);
    expect(git(repo, "show", "refs/claude-agent/wip/t1:draft.txt")).toBe("half done");
    expect(git(repo, "show", "refs/claude-agent/wip/t1:README.md")).toBe("# edited");
    expect(git(repo, "rev-parse", "refs/claude-agent/wip/t1^")).toBe(git(repo, "rev-parse", "HEAD"));
    expect(readFileSync(join(repo, "draft.txt"), "utf8")).toBe("half done\n");
    git(repo, "checkout", "-q", "--", "README.md");
    rmSync(join(repo, "draft.txt"));
    expect(await saveWorkInProgress(repo, "refs/claude-agent/wip/t2", "wip")).toBeNull();
  });
});

describe("Worktrees", () => {
  it("makes one worktree per session on its own branch, and finds it again", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const worktrees = new Worktrees(home);
    const agent = agentAt(repo);
    const cwd = await worktrees.prepare(agent, "coder-1");
    expect(cwd).toBe(join(home, "worktrees", "coder-1"));
    expect(git(cwd, "rev-parse", "--abbrev-ref", "HEAD")).toBe("claude-agent/coder-1");
    writeFileSync(join(cwd, "keep.txt"), "work\n");
    expect(await worktrees.prepare(agent, "coder-1")).toBe(cwd); // found again, work kept
    expect(readFileSync(join(cwd, "keep.txt"), "utf8")).toBe("work\n");
    const [info] = await worktrees.list();
    expect(info).toMatchObject({ session: "coder-1", agent: "coder", valid: true, branch: "claude-agent/coder-1", dirty: 1 });
    expect(info?.repository).toBe(git(repo, "rev-parse", "--show-toplevel"));
  });

  it("keeps a subfolder cwd at the same depth inside the worktree", async () => {
    const repo = track(tempRepo());
    mkdirSync(join(repo, "pkg", "api"), { recursive: true });
    writeFileSync(join(repo, "pkg", "api", "index.js"), "\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "pkg");
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const cwd = await new Worktrees(home).prepare(agentAt(join(repo, "pkg", "api")), "coder-2");
    expect(cwd).toBe(join(home, "worktrees", "coder-2", "pkg", "api"));
    expect(existsSync(join(cwd, "index.js"))).toBe(true);
  });

  it("saves a dirty worktree's work to refs/claude-agent/wip/<job> before removing it, and keeps the branch", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const worktrees = new Worktrees(home);
    const cwd = await worktrees.prepare(agentAt(repo), "coder-1");
    writeFileSync(join(cwd, "unsaved.txt"), "precious\n");
    worktrees.noteTask("coder-1", "mhx3k0a2-7fq9c1");
    const removal = await worktrees.remove("coder-1");
    expect(removal).toMatchObject({ removed: true, wipRef: "refs/claude-agent/wip/mhx3k0a2-7fq9c1", branch: "claude-agent/coder-1" });
    expect(existsSync(cwd)).toBe(false);
    expect(git(repo, "show", "refs/claude-agent/wip/mhx3k0a2-7fq9c1:unsaved.txt")).toBe("precious");
    expect(refExists(repo, "refs/heads/claude-agent/coder-1")).toBe(true);
    // Made again from its branch.
    expect(await worktrees.prepare(agentAt(repo), "coder-1")).toBe(cwd);
  });

  it("names work in progress <session>-<timestamp> when no task ran there, and removes a clean one plainly", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const worktrees = new Worktrees(home);
    const a = await worktrees.prepare(agentAt(repo), "coder-1");
    await worktrees.prepare(agentAt(repo), "coder-2");
    writeFileSync(join(a, "x.txt"), "x\n");
    const dirty = await worktrees.remove("coder-1");
    expect(dirty.wipRef).toMatch(/^refs\/claude-agent\/wip\/coder-1-\d{8}T\d{6}Z$/);
    expect(git(repo, "show", `${dirty.wipRef}:x.txt`)).toBe("x");
    expect(await worktrees.remove("coder-2")).toMatchObject({ removed: true, wipRef: null });
    expect(await worktrees.list()).toEqual([]);
  });

  it("leaves alone a folder that is not a worktree, and refuses to make a worktree over it", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    mkdirSync(join(home, "worktrees", "coder-1"), { recursive: true });
    writeFileSync(join(home, "worktrees", "coder-1", "mine.txt"), "hands off\n");
    const worktrees = new Worktrees(home);
    expect(await worktrees.remove("coder-1")).toMatchObject({ removed: false, reason: "not a git worktree (left alone)" });
    await expect(worktrees.prepare(agentAt(repo), "coder-1")).rejects.toThrow(/exists but is not a worktree/);
    expect(readFileSync(join(home, "worktrees", "coder-1", "mine.txt"), "utf8")).toBe("hands off\n");
  });

  it("says that a repository without a commit cannot have worktrees yet", async () => {
    const repo = track(mkdtempSync(join(tmpdir(), "ca-repo-")));
    git(repo, "init", "-q");
    const error = await new Worktrees(track(mkdtempSync(join(tmpdir(), "ca-wt-home-")))).prepare(agentAt(repo), "coder-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).hint).toMatch(/no commit yet/);
  });

  it("reads the agent of a session name", () => {
    expect(agentOfSession("backend-api-2")).toBe("backend-api");
    expect(agentOfSession("coder-10")).toBe("coder");
  });
});

describe("JobChanges", () => {
  it("measures a task against the worktree before it, and commits once with the task id", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const jobs = track(mkdtempSync(join(tmpdir(), "ca-jobs-")));
    const worktrees = new Worktrees(home);
    const agent = agentAt(repo);
    const cwd = await worktrees.prepare(agent, "coder-1");
    writeFileSync(join(cwd, "leftover.txt"), "from an earlier task\n");
    const output = track(mkdtempSync(join(tmpdir(), "ca-output-")));
    const changes = new JobChanges(jobs, worktrees, output);
    const task = record("mhx3k0a2-aaaaaa", "Add the greeting\nwith a second line");
    await changes.before(agent, "coder-1", task.id);
    writeFileSync(join(cwd, "hello.txt"), "hello\n");
    const fields = await changes.after(agent, "coder-1", task, true);
    expect(JSON.parse(fields.changedFiles!)).toEqual(["hello.txt"]);
    expect(fields.diffStat).toContain("hello.txt");
    // The task's patch, beside its output: only what the task did (not the leftover from before it).
    const patch = readFileSync(join(output, `${task.id}.diff`), "utf8");
    expect(patch).toMatch(/^diff --git a\/hello\.txt b\/hello\.txt\n/);
    expect(patch).toContain("\n+hello\n");
    expect(patch).not.toContain("leftover");
    expect(Number(fields.diffBytes)).toBe(Buffer.byteLength(patch));
    expect(statSync(join(output, `${task.id}.diff`)).mode & 0o777).toBe(0o600);
    expect(fields.commit).toBe(git(cwd, "rev-parse", "HEAD"));
    expect(git(cwd, "log", "-1", "--format=%s")).toBe("Add the greeting");
    expect(git(cwd, "log", "-1", "--format=%B")).toContain(`Claude-Agent-Task: ${task.id}`);
    // A re-delivered task finds its own commit instead of making another.
    expect((await changes.after(agent, "coder-1", task, true)).commit).toBe(fields.commit);
    expect(commitMessageFor({ ...task, task: "x".repeat(100) }).split("\n")[0]).toHaveLength(72);
  });

  it("writes no patch for a task that changed nothing", async () => {
    const repo = track(tempRepo());
    const home = track(mkdtempSync(join(tmpdir(), "ca-wt-home-")));
    const jobs = track(mkdtempSync(join(tmpdir(), "ca-jobs-")));
    const output = track(mkdtempSync(join(tmpdir(), "ca-output-")));
    const worktrees = new Worktrees(home);
    const agent = agentAt(repo);
    await worktrees.prepare(agent, "coder-1");
    const changes = new JobChanges(jobs, worktrees, output);
    const task = record("mhx3k0a2-bbbbbb", "look around");
    await changes.before(agent, "coder-1", task.id);
    const fields = await changes.after(agent, "coder-1", task, false);
    expect(fields.diffBytes).toBeUndefined();
    expect(existsSync(join(output, `${task.id}.diff`))).toBe(false);
  });
});

describe("a task's patch", () => {
  it("is cut at its limit with a line saying how large it was, and runs none of the repository's diff programs", async () => {
    const repo = track(tempRepo({ "a.txt": "one\n" }));
    // A repository's own external diff program must not run for our patch.
    git(repo, "config", "diff.external", "touch external-diff-ran");
    const before = await snapshot(repo);
    writeFileSync(join(repo, "a.txt"), `${"changed line\n".repeat(500)}`);
    const after = await snapshot(repo);
    const file = join(track(mkdtempSync(join(tmpdir(), "ca-diff-"))), "t.diff");
    const { bytes, cut } = await writeDiff(repo, before.tree, after.tree, file, 1000);
    expect(cut).toBe(true);
    expect(bytes).toBeGreaterThan(6000);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("diff --git a/a.txt b/a.txt\n")).toBe(true);
    expect(text.endsWith(`\n[diff cut at 1000 of ${bytes} bytes; the whole change is in the worktree's commit]\n`)).toBe(true);
    expect(existsSync(join(repo, "external-diff-ran"))).toBe(false);
  });
});
