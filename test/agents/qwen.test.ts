/**
 * The real Qwen Code (the pinned devDependency) as a headless agent of a real
 * swarm, answering from our scripted OpenAI-compatible server on loopback.
 * Qwen Code 0.24 declares Node >= 22: on an older Node, the agent gets a
 * Node 22 with `node:` (programs.ts), as a user on such a machine would.
 * qwen starts slowly (several seconds per task here), so this suite keeps to
 * three tasks: a tool round trip, a resumed conversation, an API error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startOpenAiServer } from "../fixtures/llm/openai.js";
import { ERROR_MESSAGE, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT } from "../fixtures/llm/scenario.js";
import { nodeLine, programBin } from "./programs.js";
import { roleYaml, TEST_ROLE, textsIn, useProgramSwarm } from "./support.js";

const QWEN = programBin("qwen");
const RESULT_WAIT_MS = 50_000;

function swarmYaml(url: string, cwd: string): string {
  return `
agents:
  - name: qwen
    runtime: qwen
    command: ${QWEN}${nodeLine(QWEN)}
    cwd: ${cwd}
    model: test-model
    args: [--auth-type, openai, --openai-base-url, ${url}/v1, --openai-api-key, sk-test, --approval-mode, yolo]
    timeout: 60${roleYaml()}
    env:
      QWEN_CODE_NO_RELAUNCH: "true"
`;
}

describe("a headless Qwen Code agent", () => {
  const t = useProgramSwarm({
    agent: "qwen",
    server: startOpenAiServer,
    yaml: swarmYaml,
    resultWaitMs: RESULT_WAIT_MS,
  });
  const { run, storedConversation } = t;

  it("runs a tool the model asks for and reports tokens and its session id", async () => {
    const result = await run("Write the proof file, tag-one [[tool]]");
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: TOOL_DONE_ANSWER, turns: 2 });
    expect(readFileSync(join(t.work, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.output).toContain("⚙ run_shell_command:");
    // The role, appended to Qwen Code's system message as written.
    const messages = (t.llm.agentRequests().at(-1)!.body as { messages: { role: string; content: unknown }[] }).messages;
    const system = textsIn(messages.filter((m) => m.role === "system").map((m) => m.content)).join("\n");
    expect(system).toContain(TEST_ROLE);
    expect(system.indexOf(TEST_ROLE)).toBeGreaterThan(0);
  }, 60_000);

  it("continues the conversation on the next task", async () => {
    const before = await storedConversation();
    const result = await run("What did I tag? tag-two [[recall]]");
    expect(result).toMatchObject({ status: "completed", answer: "I can see: tag-one, tag-two", agentSessionId: before });
  }, 60_000);

  it("fails a task whose API call failed, with the API's message (qwen 0.15 exited 0 there, 0.24 exits 1)", async () => {
    const result = await run("Please fail [[error]]", { fresh: true });
    expect(result.status).toBe("failed");
    expect(result.reason).toContain(ERROR_MESSAGE);
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).not.toContain("tag-one");
  }, 60_000);
});
