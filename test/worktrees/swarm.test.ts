/**
 * Worktree agents in a real swarm (tmux, Redis, the built CLI): each replica
 * works in its own worktree, results say what a task changed and which
 * commit holds it, and `worktrees clean` never loses uncommitted work.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { git, refExists, tempRepo } from "./repo.js";

const WAIT_MS = 30_000;

function yaml(repo: string): string {
  return `
agents:
  - name: coder
    runtime: shell
    replicas: 2
    cwd: ${repo}
    worktree: true
    commit: true
    timeout: 30
  - name: scratch
    runtime: shell
    cwd: ${repo}
    worktree: true
    timeout: 30
api:
  listen: 127.0.0.1:0
`;
}

describe("worktree agents", () => {
  let repo: string;
  let swarm: TestSwarm;

  beforeAll(async () => {
    repo = tempRepo({ "notes.txt": "one\ntwo\n" });
    swarm = await startTestSwarm(yaml(repo));
  });
  afterAll(async () => {
    await swarm?.destroy();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  let client: Swarm | null = null;

  async function run(agent: string, task: string, options: { commit?: boolean } = {}): Promise<TaskResult> {
    client ??= await swarm.connect();
    const handle = await client.submit({ task, agent, ...options });
    return handle.result({ signal: AbortSignal.timeout(WAIT_MS) });
  }

  it("gives each replica its own worktree on its own branch, as the session's cwd", async () => {
    for (const session of ["coder-1", "coder-2", "scratch-1"]) {
      const path = join(swarm.home, "worktrees", session);
      expect(git(path, "rev-parse", "--abbrev-ref", "HEAD")).toBe(`claude-agent/${session}`);
    }
    client ??= await swarm.connect();
    // A barrier, not a sleep: each task waits (up to 20 s) until both have started, so one session
    // cannot run both one after the other however late the second submission arrives.
    const barrier = mkdtempSync(join(tmpdir(), "ca-barrier-"));
    const task = `touch ${barrier}/$$; for i in $(seq 200); do [ "$(ls ${barrier} | wc -l)" -ge 2 ] && break; sleep 0.1; done; pwd`;
    const [a, b] = await Promise.all([client.submit({ task, agent: "coder" }), client.submit({ task, agent: "coder" })]);
    const results = await Promise.all([a.result(), b.result()]);
    const cwds = results.map((r) => r.output.trim()).sort();
    expect(cwds).toEqual([join(swarm.home, "worktrees", "coder-1"), join(swarm.home, "worktrees", "coder-2")].map((p) => realpathSync(p)));
    // The user's own checkout is untouched.
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("reports the files a shell task changed, its diffstat and the commit made for it", async () => {
    const result = await run("coder", "echo hello > hello.txt\nprintf 'one\\nthree\\n' > notes.txt\nrm README.md");
    expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    expect(result.changedFiles?.sort()).toEqual(["README.md", "hello.txt", "notes.txt"]);
    expect(result.diffStat).toMatch(/3 files changed/);
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    const worktree = join(swarm.home, "worktrees", result.session!);
    expect(git(worktree, "rev-parse", "HEAD")).toBe(result.commit);
    expect(git(worktree, "log", "-1", "--format=%s")).toBe("echo hello > hello.txt");
    expect(git(worktree, "log", "-1", "--format=%B")).toContain(`Claude-Agent-Task: ${result.id}`);
    expect(git(worktree, "status", "--porcelain")).toBe("");
    // The commit is on the replica's branch, in the user's repository.
    expect(git(repo, "rev-parse", `claude-agent/${result.session}`)).toBe(result.commit);
    // The patch is kept beside the output: from the CLI, and over the API with the read scope.
    expect(result.diffBytes).toBeGreaterThan(0);
    const shown = swarm.cli(["diff", result.id]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("diff --git a/hello.txt b/hello.txt");
    expect(shown.stdout).toContain("\n+hello\n");
    expect(shown.stdout).toContain("\n-two\n+three\n");
    expect(shown.stdout).toContain("deleted file mode");
    const json = JSON.parse(swarm.cli(["diff", result.id, "--json"]).stdout) as { patch: string; bytes: number };
    expect(json.patch).toBe(shown.stdout);
    expect(json.bytes).toBe(result.diffBytes);
    const api = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
    const token = readFileSync(join(swarm.home, "api.token"), "utf8").trim();
    const over = await fetch(`${api.url}/v1/tasks/${result.id}/diff`, { headers: { authorization: `Bearer ${token}` } });
    expect(over.status).toBe(200);
    expect(((await over.json()) as { patch: string }).patch).toBe(json.patch);
  });

  it("reports no change and makes no commit for a task that changes nothing", async () => {
    const result = await run("coder", "cat notes.txt");
    expect(result).toMatchObject({ status: "completed", changedFiles: [] });
    expect(result.commit).toBeUndefined();
    expect(result.diffStat).toBeUndefined();
    expect(result.diffBytes).toBeUndefined();
    const none = swarm.cli(["diff", result.id]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain(`no patch of task ${result.id}`);
    expect(none.stderr).toContain("only a worktree agent's task that changed files has one");
  });

  it("leaves a task's changes uncommitted when asked, and measures the next task against them", async () => {
    const first = await run("scratch", "echo draft > draft.txt");
    expect(first).toMatchObject({ status: "completed", changedFiles: ["draft.txt"] });
    expect(first.commit).toBeUndefined();
    const second = await run("scratch", "echo more >> draft.txt; echo b > b.txt", { commit: true });
    expect(second.changedFiles?.sort()).toEqual(["b.txt", "draft.txt"]);
    expect(second.commit).toMatch(/^[0-9a-f]{40}$/);
    const third = await run("scratch", "echo c > c.txt", { commit: false });
    expect(third.changedFiles).toEqual(["c.txt"]);
    expect(third.commit).toBeUndefined();
  });

  it("counts a failed task's changes too, without committing them", async () => {
    const result = await run("coder", "echo partial > partial.txt; exit 3");
    expect(result).toMatchObject({ status: "failed", exitCode: 3, changedFiles: ["partial.txt"] });
    expect(result.commit).toBeUndefined();
  });

  it("lists worktrees, keeps those of running agents, and after `down` saves dirty work to a WIP ref before removing", async () => {
    // scratch-1 holds c.txt uncommitted from the test above; add more uncommitted work.
    const last = await run("scratch", "echo precious > unsaved.txt; echo edited >> notes.txt", { commit: false });
    expect(last.status).toBe("completed");
    const listed = JSON.parse(swarm.cli(["worktrees", "list", "--json"]).stdout) as { session: string; dirty: number; running: boolean; configured: boolean }[];
    expect(listed.map((w) => w.session)).toEqual(["coder-1", "coder-2", "scratch-1"]);
    expect(listed.find((w) => w.session === "scratch-1")).toMatchObject({ running: true, configured: true });
    expect(listed.find((w) => w.session === "scratch-1")!.dirty).toBeGreaterThanOrEqual(3);

    const whileRunning = JSON.parse(swarm.cli(["worktrees", "clean", "--json"]).stdout) as { removed: unknown[]; kept: { reason: string }[] };
    expect(whileRunning.removed).toEqual([]);
    expect(whileRunning.kept.map((k) => k.reason)).toEqual(["its agent is running", "its agent is running", "its agent is running"]);

    await client?.close(); // its connection would retry against the stopped Redis
    client = null;
    expect(swarm.cli(["down"]).exitCode).toBe(0);
    const cleaned = swarm.cli(["worktrees", "clean", "--agent", "scratch", "--json"]);
    expect(cleaned.exitCode).toBe(0);
    const { removed } = JSON.parse(cleaned.stdout) as { removed: { session: string; wipRef: string | null; wipCommit: string | null; branch: string }[] };
    expect(removed).toEqual([expect.objectContaining({ session: "scratch-1", wipRef: `refs/claude-agent/wip/${last.id}`, branch: "claude-agent/scratch-1" })]);
    expect(existsSync(join(swarm.home, "worktrees", "scratch-1"))).toBe(false);
    // Nothing lost: the ref holds every uncommitted file, the branch keeps its commits.
    expect(git(repo, "show", `refs/claude-agent/wip/${last.id}:unsaved.txt`)).toBe("precious");
    expect(git(repo, "show", `refs/claude-agent/wip/${last.id}:c.txt`)).toBe("c");
    expect(git(repo, "show", `refs/claude-agent/wip/${last.id}:notes.txt`)).toContain("edited");
    expect(refExists(repo, "refs/heads/claude-agent/scratch-1")).toBe(true);
    // The coder worktrees were not asked for and stay.
    expect(existsSync(join(swarm.home, "worktrees", "coder-1"))).toBe(true);

    // The next start makes scratch-1's worktree again from its branch.
    await swarm.start();
    expect(git(join(swarm.home, "worktrees", "scratch-1"), "rev-parse", "HEAD")).toBe(git(repo, "rev-parse", "claude-agent/scratch-1"));
    expect(readFileSync(join(swarm.home, "worktrees", "scratch-1", "b.txt"), "utf8")).toBe("b\n");
  });
});

describe("worktree config checks", () => {
  it("refuses to start when a worktree agent's cwd is not in a git repository, naming the path", () => {
    const home = tempHome();
    try {
      const file = join(home, "swarm.yaml");
      const notRepo = join(home, "plain");
      mkdirSync(notRepo);
      writeFileSync(file, `agents:\n  - { name: a, runtime: shell, cwd: plain, worktree: true }\n`);
      const result = runCli(["up", "--config", file], { home, cwd: home });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`swarm.yaml: agents.0.worktree: needs cwd inside a git repository; ${notRepo} is not in one`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
