/**
 * An INTERACTIVE Claude Code agent (the real, pinned program, its TUI as the
 * pane's own command) settles its tasks like every other runtime: the gate
 * runs in its worktree after the turn, a failing gate is pasted back to it
 * as a further prompt in the same conversation, what it changed is reported
 * and committed, and a rate limit parks its queue.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmEvent, TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { PLAIN_ANSWER, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT } from "../fixtures/llm/scenario.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { git, tempRepo } from "../worktrees/repo.js";
import { claudeAgent, GATE } from "./support.js";

const WAIT_MS = 60_000;
const PARK_MS = 4000;

const INTERACTIVE = "    mode: interactive\n    auto_approve: true\n";

describe("an interactive Claude Code agent settles like every runtime", () => {
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let client: Swarm;
  let repo: string;

  beforeAll(async () => {
    llm = await startAnthropicServer();
    repo = tempRepo();
    const yaml = [
      "agents:",
      claudeAgent("fixer", llm.url, repo, INTERACTIVE, `    worktree: true\n    commit: true\n    gate: '${GATE}'\n    gate_retries: 1\n`),
      claudeAgent("limited", llm.url, repo, INTERACTIVE, ""),
    ].join("");
    swarm = await startTestSwarm(yaml, { env: { CLAUDE_AGENT_TUNING: JSON.stringify({ rateLimitParkMs: PARK_MS }) } });
    client = await swarm.connect();
  }, 90_000);
  afterAll(async () => {
    // Claude Code may still write to its config folder while `down` stops it: removal can race that once.
    await swarm?.destroy().catch(async () => {
      await new Promise((r) => setTimeout(r, 500));
      rmSync(swarm.home, { recursive: true, force: true });
    });
    await llm?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  async function run(name: string, task: string, options: { gate?: string; gateRetries?: number } = {}): Promise<TaskResult> {
    const handle = await client.submit({ task, agent: name, ...options });
    return handle.result({ signal: AbortSignal.timeout(WAIT_MS) });
  }

  it("pastes the gate's failure back once, then completes, reporting and committing what changed in its worktree", async () => {
    const result = await run("fixer", "Write the proof file [[tool]]");
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, gateRetries: 1, changedFiles: [TOOL_FILE] });
    // The retry was a further prompt of the same conversation, showing the gate's output.
    const retry = llm.agentRequests().at(-1)!.userTexts.join("\n");
    expect(retry).toContain("Write the proof file");
    expect(retry).toContain("The check `");
    expect(retry).toContain(`${TOOL_FILE} must be written again after this check`);
    // The result file of the retry is the task's output; the commit was made once the gate passed.
    expect(result.output).toContain(TOOL_DONE_ANSWER);
    const worktree = join(swarm.home, "worktrees", "fixer-1");
    expect(git(worktree, "rev-parse", "HEAD")).toBe(result.commit);
    expect(git(worktree, "show", "--name-only", "--format=", "HEAD")).toBe(TOOL_FILE);
    expect(readFileSync(join(worktree, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
  });

  it("fails with the gate's output when the gate still fails after its retries, and commits nothing", async () => {
    const head = git(join(swarm.home, "worktrees", "fixer-1"), "rev-parse", "HEAD");
    const gate = `echo "still broken [[plain]]"; exit 2`;
    const result = await run("fixer", "Answer me [[plain]]", { gate, gateRetries: 1 });
    expect(result).toMatchObject({
      status: "failed",
      reason: `gate failed: ${gate} exited 2`,
      gateOutput: "still broken [[plain]]\n",
      gateRetries: 1,
      answer: PLAIN_ANSWER,
    });
    expect(result.commit).toBeUndefined();
    expect(git(join(swarm.home, "worktrees", "fixer-1"), "rev-parse", "HEAD")).toBe(head);
  });

  it("parks its queue on a rate limit, so the next task waits and then runs in the same program", async () => {
    const since = await client.client.events.lastId();
    const limited = await run("limited", "Too much [[ratelimit]]");
    expect(limited.status).toBe("failed");
    expect(limited.reason).toMatch(/^rate limited: /);
    const next = await client.submit({ task: "And now? [[plain]]", agent: "limited" });
    expect((await client.status()).agents.find((a) => a.name === "limited")?.parkedUntil).toEqual(expect.any(String));
    const result = await next.result({ signal: AbortSignal.timeout(WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
    expect(Date.parse(result.startedAt!) - Date.parse(limited.finishedAt!)).toBeGreaterThanOrEqual(PARK_MS - 500);
    const types = (await client.client.events.recent(200)).filter((e: SwarmEvent) => e.id > since && e.agent === "limited").map((e) => e.type);
    expect(types).toContain("agent.parked");
    expect(types.indexOf("agent.resumed")).toBeGreaterThan(types.indexOf("agent.parked"));
  });
});
