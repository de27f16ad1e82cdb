/**
 * Gates, gate retries and rate-limit parking with the real Claude Code (the
 * pinned devDependency) against our scripted Anthropic server on loopback.
 * A failing gate sends its output back to the agent, which works again in
 * the same conversation; a 429 parks the agent's queue instead of failing
 * the jobs behind it.
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

const HEADLESS = "    args: [--permission-mode, acceptEdits]\n";

describe("a Claude Code agent with a gate", () => {
  let llm: AnthropicServer;
  let swarm: TestSwarm;
  let client: Swarm;
  let repo: string;

  beforeAll(async () => {
    llm = await startAnthropicServer();
    repo = tempRepo();
    const yaml = [
      "agents:",
      claudeAgent("fixer", llm.url, repo, HEADLESS, `    worktree: true\n    commit: true\n    gate: '${GATE}'\n    gate_retries: 1\n`),
      claudeAgent("limited", llm.url, repo, HEADLESS, ""),
    ].join("");
    // The real program reports no reset time for an API-key 429: the park lasts rateLimitParkMs.
    swarm = await startTestSwarm(yaml, { env: { CLAUDE_AGENT_TUNING: JSON.stringify({ rateLimitParkMs: PARK_MS }) } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    await llm?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  async function run(name: string, task: string, options: { gate?: string; gateRetries?: number } = {}): Promise<TaskResult> {
    const handle = await client.submit({ task, agent: name, ...options });
    return handle.result({ signal: AbortSignal.timeout(WAIT_MS) });
  }

  it("re-prompts the agent with the gate's failure once, then completes when the gate passes", async () => {
    const result = await run("fixer", "Write the proof file [[tool]]");
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, gateRetries: 1, changedFiles: [TOOL_FILE] });
    // The retry continued the same conversation and showed the agent the gate's output.
    const retryPrompt = llm.agentRequests().at(-1)!.userTexts.join("\n");
    expect(retryPrompt).toContain("Write the proof file");
    expect(retryPrompt).toContain("The check `");
    expect(retryPrompt).toContain(`${TOOL_FILE} must be written again after this check`);
    expect(result.output).toContain("── gate retry 1 ──");
    // Committed once, after the gate passed.
    const worktree = join(swarm.home, "worktrees", "fixer-1");
    expect(git(worktree, "rev-parse", "HEAD")).toBe(result.commit);
    expect(readFileSync(join(worktree, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
  });

  it("fails with the gate's output when it still fails after the retries", async () => {
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
  });

  it("parks the agent's queue on a rate limit, so the next task waits and then runs", async () => {
    const since = await client.client.events.lastId();
    const limited = await run("limited", "Too much [[ratelimit]]");
    expect(limited.status).toBe("failed");
    expect(limited.reason).toMatch(/^rate limited: .*429/);
    const next = await client.submit({ task: "And now? [[plain]]", agent: "limited" });
    const status = await client.status();
    expect(status.agents.find((a) => a.name === "limited")?.parkedUntil).toEqual(expect.any(String));
    expect(swarm.cli(["status", "--agent", "limited"]).stdout).toMatch(/parked until \d{4}-/);
    const result = await next.result({ signal: AbortSignal.timeout(WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
    // It ran only once the parking was over.
    const parkedAt = Date.parse(limited.finishedAt!);
    expect(Date.parse(result.startedAt!) - parkedAt).toBeGreaterThanOrEqual(PARK_MS - 500);
    const events = (await client.client.events.recent(200)).filter((e: SwarmEvent) => e.id > since && e.agent === "limited");
    const types = events.map((e) => e.type);
    expect(types).toContain("agent.parked");
    expect(types.indexOf("agent.resumed")).toBeGreaterThan(types.indexOf("agent.parked"));
    expect(events.find((e) => e.type === "agent.parked")?.until).toEqual(expect.any(String));
    expect((await client.status()).agents.find((a) => a.name === "limited")?.parkedUntil).toBeUndefined();
  });
});
