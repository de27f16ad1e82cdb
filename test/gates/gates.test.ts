/**
 * Gates in a real swarm of shell agents: a task completes only when its
 * gate exits 0 in the agent's working tree; otherwise it fails with the
 * gate's exit code in `reason` and its output in `gateOutput`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { git, tempRepo } from "../worktrees/repo.js";

const WAIT_MS = 30_000;
const CHECK = `if [ -f done.txt ]; then echo gate-ok; else echo "done.txt is missing"; exit 4; fi`;

function yaml(work: string, repo: string): string {
  return `
agents:
  - name: checked
    runtime: shell
    cwd: ${work}
    gate: '${CHECK}'
    timeout: 30
  - name: free
    runtime: shell
    cwd: ${work}
    env: { GATE_WORD: hello }
    timeout: 30
  - name: wt
    runtime: shell
    cwd: ${repo}
    worktree: true
    commit: true
    gate: 'test "$(cat out.txt)" = good || { echo "out.txt says $(cat out.txt)"; exit 1; }'
    timeout: 30
`;
}

describe("gates", () => {
  let work: string;
  let repo: string;
  let swarm: TestSwarm;
  let client: Swarm;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-gate-work-"));
    repo = tempRepo();
    swarm = await startTestSwarm(yaml(work, repo));
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    for (const dir of [work, repo]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(agent: string, task: string, options: { gate?: string; timeout?: number } = {}): Promise<TaskResult> {
    const handle = await client.submit({ task, agent, ...options });
    return handle.result({ signal: AbortSignal.timeout(WAIT_MS) });
  }

  it("completes a task whose agent gate passes", async () => {
    const result = await run("checked", "touch done.txt; echo made it");
    expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    expect(result.reason).toBeUndefined();
    expect(result.gateOutput).toBeUndefined();
  });

  it("fails a task whose gate fails, with the gate's exit code and output, although the task exited 0", async () => {
    const result = await run("checked", "rm -f done.txt; echo ran fine");
    expect(result).toMatchObject({ status: "failed", exitCode: 0, reason: `gate failed: ${CHECK} exited 4` });
    expect(result.gateOutput).toBe("done.txt is missing\n");
    expect(result.output).toContain("ran fine");
  });

  it("does not run the gate of a task that failed by itself", async () => {
    const result = await run("free", "exit 3", { gate: "touch gate-ran" });
    expect(result).toMatchObject({ status: "failed", exitCode: 3 });
    expect(existsSync(join(work, "gate-ran"))).toBe(false);
  });

  it("runs a task's own gate in the agent's cwd with the agent's env", async () => {
    const gate = `grep -q "$GATE_WORD" out.txt && test "$CA_AGENT" = free && test "$PWD" = "${work}"`;
    expect(await run("free", "echo hello world > out.txt", { gate })).toMatchObject({ status: "completed" });
    const failing = await run("free", "echo goodbye > out.txt", { gate });
    expect(failing).toMatchObject({ status: "failed", reason: `gate failed: ${gate} exited 1` });
  });

  it("takes --gate on the command line and exits 1 when it fails", () => {
    const result = swarm.cli(["submit", "--agent", "free", "--task", "true", "--gate", "echo nope; exit 9", "--wait", "--json"]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed", reason: "gate failed: echo nope; exit 9 exited 9", gateOutput: "nope\n" });
    const text = swarm.cli(["submit", "--agent", "free", "--task", "true", "--gate", "echo nope; exit 9", "--wait"]);
    expect(text.stdout).toContain("gate output (last lines):\nnope");
  });

  it("bounds the gate by the task's remaining time limit", async () => {
    const started = Date.now();
    const result = await run("free", "sleep 1", { gate: "sleep 60", timeout: 3 });
    expect(result).toMatchObject({ status: "timeout", reason: "gate failed: sleep 60 did not finish within the task's time limit" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("commits a worktree task only when its gate passes, and reports its changes either way", async () => {
    const bad = await run("wt", "echo bad > out.txt");
    expect(bad).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^gate failed: .* exited 1$/),
      gateOutput: "out.txt says bad\n",
      changedFiles: ["out.txt"],
    });
    expect(bad.commit).toBeUndefined();
    const good = await run("wt", "echo good > out.txt");
    expect(good).toMatchObject({ status: "completed", changedFiles: ["out.txt"] });
    expect(git(join(swarm.home, "worktrees", "wt-1"), "show", `${good.commit}:out.txt`)).toBe("good");
  });

  it("refuses gate retries for a shell agent, which would only run the same command again", async () => {
    await expect(client.submit({ task: "true", agent: "free", gate: "false", gateRetries: 1 })).rejects.toThrow(UsageError);
    await expect(client.submit({ task: "true", agent: "free", commit: true })).rejects.toThrow(/has no worktree/);
  });
});
