/**
 * Finding 3 (c), worktree agents: the bridge runs git in an agent's worktree
 * outside the sandbox (snapshots, diffs, `commit: true`), and git runs code
 * its metadata names (hooks, `core.fsmonitor`, a `.git` file pointing at a
 * repository of the task's making). A sandboxed task can change its files,
 * and the swarm still commits them, but it cannot plant such code: the
 * repository's `.git` and the worktree's `.git` file are read-only to it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { git } from "../worktrees/repo.js";

const BASE = mkdtempSync("/var/tmp/ca-sbx-wt-");
const REPO = join(BASE, "repo");
const HOME = join(BASE, "h");
const RAN = join(BASE, "planted-code-ran");

describe("a sandboxed worktree agent", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    mkdirSync(REPO);
    mkdirSync(HOME);
    git(REPO, "init", "-q", "-b", "main");
    git(REPO, "commit", "-q", "--allow-empty", "-m", "initial");
    swarm = await startTestSwarm(
      `
agents:
  - name: wt
    runtime: shell
    cwd: ${REPO}
    worktree: true
    commit: true
    sandbox: bwrap
    timeout: 30
`,
      { home: HOME },
    );
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(BASE, { recursive: true, force: true });
  });

  it("changes its files and has them committed, but cannot plant code for the bridge's git to run", async () => {
    const hook = `#!/bin/sh\ntouch ${RAN}\n`;
    const task = [
      "echo work > work.txt",
      // A hook in the repository, run by the bridge's `git commit`.
      `printf '${hook}' > ${REPO}/.git/hooks/pre-commit 2>&1 && chmod +x ${REPO}/.git/hooks/pre-commit`,
      // A config naming a command git runs on every status (core.fsmonitor).
      `git config core.fsmonitor 'touch ${RAN}; false' 2>&1 | head -1`,
      // A .git file sending the bridge's git to a repository of the task's making.
      `printf 'gitdir: ${BASE}/evil/.git\\n' > .git 2>&1`,
      "echo tried",
    ].join("\n");
    const handle = await client.submit({ task, agent: "wt" });
    const result = await handle.result({ signal: AbortSignal.timeout(45_000) });
    expect(result).toMatchObject({ status: "completed" });
    expect(result.output).toMatch(/Read-only file system/);
    expect(result.changedFiles).toContain("work.txt");
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(existsSync(join(REPO, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(readFileSync(join(REPO, ".git", "config"), "utf8")).not.toContain("fsmonitor");
    expect(readFileSync(join(HOME, "worktrees", "wt-1", ".git"), "utf8")).toMatch(/^gitdir: .*\/repo\/\.git\/worktrees\/wt-1\n$/);
    expect(existsSync(RAN)).toBe(false);
  });
});
