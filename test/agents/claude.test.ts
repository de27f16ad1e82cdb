/**
 * The real Claude Code (the pinned devDependency) as a headless agent of a
 * real swarm, answering from our scripted Anthropic server on loopback: no
 * network, no API key. Every wait is bounded by our own timeouts, since
 * Claude Code retries silently for minutes when nothing answers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { ERROR_MESSAGE, LONG_LINES, PLAIN_ANSWER, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT, longAnswer } from "../fixtures/llm/scenario.js";
import { nodeLine, programBin } from "./programs.js";
import { roleYaml, TEST_ROLE, textsIn, useProgramSwarm } from "./support.js";
import { clientInternals } from "../../client/index.js";

const CLAUDE = programBin("claude");
const RESULT_WAIT_MS = 45_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function swarmYaml(url: string, cwd: string): string {
  return `
agents:
  - name: coder
    runtime: claude
    command: ${CLAUDE}${nodeLine(CLAUDE)}
    cwd: ${cwd}
    args: [--permission-mode, acceptEdits]
    timeout: 60${roleYaml()}
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`;
}

describe("a headless Claude Code agent", () => {
  // A rate limit parks the agent's queue (60 s by default); the test after the rate-limit one should not wait that long.
  const t = useProgramSwarm({
    agent: "coder",
    server: startAnthropicServer,
    yaml: swarmYaml,
    env: { CLAUDE_AGENT_TUNING: JSON.stringify({ rateLimitParkMs: 1000 }) },
    resultWaitMs: RESULT_WAIT_MS,
  });
  const { run } = t;

  it("answers a prompt and reports cost, tokens, turns and its session id", async () => {
    const result = await run("What is the answer? [[plain]]", { fresh: true });
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: PLAIN_ANSWER, turns: 1, session: "coder-1" });
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(UUID);
    // The pane (and so the task's output) shows readable text, not the JSON stream.
    expect(result.output).toContain(PLAIN_ANSWER);
    expect(result.output).toMatch(/✔ done · 1 turns/);
    expect(result.output).not.toContain(`"type":"result"`);
    // The prompt reached the model as a file's content, not through a command line.
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).toContain("What is the answer? [[plain]]");
  });

  it("gets its role appended to Claude Code's system prompt, as written", () => {
    const request = t.llm.agentRequests().at(-1)!;
    const system = textsIn((request.body as { system?: unknown }).system).join("\n");
    expect(system).toContain(TEST_ROLE);
    // Appended: Claude Code's own prompt comes first.
    expect(system.indexOf(TEST_ROLE)).toBeGreaterThan(0);
    expect(request.userTexts.join("\n")).not.toContain("role-marker-7f3a");
  });

  it("runs a tool the model asks for, in the agent's cwd", async () => {
    const result = await run("Write the proof file [[tool]]");
    expect(result).toMatchObject({ status: "completed", answer: TOOL_DONE_ANSWER, turns: 2 });
    expect(readFileSync(join(t.work, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
    expect(result.output).toContain("⚙ Bash:");
  });

  it("returns a long answer whole", async () => {
    const result = await run("Tell me everything [[long]]");
    expect(result.status).toBe("completed");
    expect(result.answer).toBe(longAnswer());
    expect(result.answer?.split("\n")).toHaveLength(LONG_LINES);
  });

  it("records an error the program reports as a failure with its message", async () => {
    const result = await run("Please fail [[error]]");
    expect(result).toMatchObject({ status: "failed", exitCode: 1 });
    expect(result.reason).toContain(ERROR_MESSAGE);
  });

  it("records a rate limit as the reason", async () => {
    const result = await run("Too much [[ratelimit]]");
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/^rate limited: .*429/);
  });

  it("continues the session's conversation on the next task, and starts anew with fresh", async () => {
    const first = await run("Remember tag-alpha [[recall]]", { fresh: true });
    expect(first).toMatchObject({ status: "completed", answer: "I can see: tag-alpha" });

    const second = await run("And now tag-beta [[recall]]");
    expect(second).toMatchObject({ status: "completed", answer: "I can see: tag-alpha, tag-beta", agentSessionId: first.agentSessionId });
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).toContain("Remember tag-alpha");

    const third = await run("Only tag-gamma [[recall]]", { fresh: true });
    expect(third).toMatchObject({ status: "completed", answer: "I can see: tag-gamma" });
    expect(third.agentSessionId).not.toBe(first.agentSessionId);
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).not.toContain("tag-alpha");

    // The session now continues the fresh conversation, as Redis records.
    const client = await t.swarm.connect();
    expect(await clientInternals(client.client).redis.hget(clientInternals(client.client).ledger.keys.session("coder-1"), "agentSessionId")).toBe(
      third.agentSessionId,
    );
  });
});
