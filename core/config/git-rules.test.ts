import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { parseConfig } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "ca-git-rules-"));
const repo = join(root, "repo");
mkdirSync(join(repo, "pkg"), { recursive: true });
execFileSync("git", ["init", "-q", repo]);
mkdirSync(join(root, "plain"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { file: join(root, "swarm.yaml"), baseDir: root };

function problems(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("worktree, commit and gate keys", () => {
  it("default to no worktree, no commit, no gate and no retries", () => {
    expect(parseConfig("agents:\n  - { name: a, runtime: shell }\n", options).agents[0]).toMatchObject({
      worktree: false,
      commit: false,
      gate: null,
      gateRetries: 0,
    });
  });

  it("read a worktree agent in a repository (a subfolder counts), its commit, gate and retries", () => {
    const text = "agents:\n  - { name: a, runtime: claude, cwd: repo/pkg, worktree: true, commit: true, gate: ' npm test ', gate_retries: 2 }\n";
    expect(parseConfig(text, options).agents[0]).toMatchObject({ worktree: true, commit: true, gate: "npm test", gateRetries: 2, cwd: join(repo, "pkg") });
  });

  it("report a worktree agent whose cwd is not in a git repository, or does not exist, with the path", () => {
    expect(problems("agents:\n  - { name: a, runtime: shell, cwd: plain, worktree: true }\n")).toEqual([
      `swarm.yaml: agents.0.worktree: needs cwd inside a git repository; ${join(root, "plain")} is not in one (run \`git init\` there, or point cwd at a repository)`,
    ]);
    expect(problems("agents:\n  - { name: a, runtime: shell, cwd: gone, worktree: true }\n")).toEqual([
      `swarm.yaml: agents.0.worktree: needs cwd to be a folder inside a git repository; ${join(root, "gone")} does not exist`,
    ]);
  });

  it.each([
    [
      "commit without a worktree",
      "{ name: a, runtime: shell, commit: true }",
      "agents.0.commit: needs `worktree: true` (commits are made on the replica's own branch)",
    ],
    [
      "gate retries on a shell agent",
      "{ name: a, runtime: shell, gate: 'true', gate_retries: 1 }",
      "agents.0.gate_retries: gate retries re-prompt an agent program; a shell agent would only run the same command again",
    ],
    ["an empty gate", "{ name: a, runtime: shell, gate: '  ' }", 'agents.0.gate: expected a shell command, got "  "'],
    ["too many retries", "{ name: a, runtime: claude, gate_retries: 4 }", "agents.0.gate_retries: expected a whole number from 0 to 3, got 4"],
    ["a worktree that is not a boolean", "{ name: a, runtime: shell, worktree: yes please }", 'agents.0.worktree: expected true or false, got "yes please"'],
  ])("report %s", (_case, agent, problem) => {
    expect(problems(`agents:\n  - ${agent}\n`)).toEqual([`swarm.yaml: ${problem}`]);
  });
});
