/**
 * The real Gemini CLI (the pinned devDependency) as a headless agent of a
 * real swarm, answering from our scripted Gemini API server on loopback
 * (GOOGLE_GEMINI_BASE_URL): no network, no Google account. The tests run in
 * order and share one agent session; the rate limit comes last, since it
 * parks the agent's queue for the hour the server asks for.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_MESSAGE, startGeminiServer } from "../fixtures/llm/gemini.js";
import { ERROR_MESSAGE, PLAIN_ANSWER, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT } from "../fixtures/llm/scenario.js";
import { nodeLine, programBin } from "./programs.js";
import { roleYaml, TEST_ROLE, textsIn, useProgramSwarm } from "./support.js";
import { clientInternals } from "../../client/index.js";

const GEMINI = programBin("gemini");
const RESULT_WAIT_MS = 45_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function swarmYaml(url: string, cwd: string): string {
  return `
agents:
  - name: gemini
    runtime: gemini
    command: ${GEMINI}${nodeLine(GEMINI)}
    cwd: ${cwd}
    model: test-model
    args: [--approval-mode, yolo, --skip-trust]
    timeout: 60${roleYaml()}
    env:
      GEMINI_API_KEY: test-key
      GOOGLE_GEMINI_BASE_URL: ${url}
      GEMINI_CLI_NO_RELAUNCH: "true"
`;
}

describe("a headless Gemini CLI agent", () => {
  const t = useProgramSwarm({
    agent: "gemini",
    server: startGeminiServer,
    yaml: swarmYaml,
    resultWaitMs: RESULT_WAIT_MS,
  });
  const { run, storedConversation } = t;

  const config = () => join(t.swarm.home, "agents", "gemini", "config");
  let firstSession: string | undefined;

  it("answers a prompt and reports tokens and its session id, keeping its state in the agent's own GEMINI_CLI_HOME", async () => {
    const result = await run("Remember tag-one. What is the answer? [[plain]]", { fresh: true });
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: PLAIN_ANSWER, session: "gemini-1" });
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(UUID);
    firstSession = result.agentSessionId;
    // The pane (and so the task's output) shows readable text, not the JSON stream.
    expect(result.output).toContain(PLAIN_ANSWER);
    expect(result.output).toMatch(/✔ done · \d+ in · \d+ out/);
    expect(result.output).not.toContain(`"type":"result"`);
    // The prompt reached the model as the file piped to gemini's stdin.
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).toContain("Remember tag-one. What is the answer? [[plain]]");
    // Settings and conversations live under the agent's config folder, with our defaults filled in.
    const settings = JSON.parse(readFileSync(join(config(), ".gemini", "settings.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(settings.privacy).toEqual({ usageStatisticsEnabled: false });
    expect(settings.security).toEqual({ auth: { selectedType: "gemini-api-key" } });
    const chats = readdirSync(join(config(), ".gemini", "tmp"), { recursive: true, encoding: "utf8" });
    expect(chats.some((file) => file.includes(firstSession!.slice(0, 8)))).toBe(true);
  });

  it("reads its role from the GEMINI.md of its own GEMINI_CLI_HOME, into the system instruction", () => {
    const body = t.llm.agentRequests().at(-1)!.body as { systemInstruction?: unknown };
    expect(textsIn(body.systemInstruction).join("\n")).toContain(TEST_ROLE);
    expect(readFileSync(join(config(), ".gemini", "GEMINI.md"), "utf8")).toContain(TEST_ROLE);
    expect(() => readFileSync(join(t.work, "GEMINI.md"))).toThrow();
  });

  it("runs its shell tool when the model asks, in the agent's cwd", async () => {
    const result = await run("Write the proof file [[tool]]");
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: TOOL_DONE_ANSWER, agentSessionId: firstSession });
    expect(readFileSync(join(t.work, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.output).toContain("⚙ run_shell_command:");
    // The second request carried the command's output back to the model.
    const last = t.llm.agentRequests().at(-1)?.body as { contents: { parts: { functionResponse?: { name: string; response: { output?: string } } }[] }[] };
    const response = last.contents.at(-1)?.parts[0]?.functionResponse;
    expect(response?.name).toBe("run_shell_command");
    expect(response?.response.output).toContain("tool-ran");
  });

  it("continues the session's conversation on the next task (--resume), and starts anew with fresh", async () => {
    const second = await run("What did I tag? tag-two [[recall]]");
    expect(second).toMatchObject({ status: "completed", answer: "I can see: tag-one, tag-two", agentSessionId: firstSession });
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).toContain("Remember tag-one");

    const third = await run("Only tag-three [[recall]]", { fresh: true });
    expect(third).toMatchObject({ status: "completed", answer: "I can see: tag-three" });
    expect(third.agentSessionId).toMatch(UUID);
    expect(third.agentSessionId).not.toBe(firstSession);
    expect(t.llm.agentRequests().at(-1)?.userTexts.join("\n")).not.toContain("tag-one");
    expect(await storedConversation()).toBe(third.agentSessionId);
  });

  it("forgets a conversation gemini no longer has, so the next task starts fresh", async () => {
    const client = await t.swarm.connect();
    await clientInternals(client.client).redis.hset(
      clientInternals(client.client).ledger.keys.session("gemini-1"),
      "agentSessionId",
      "11111111-2222-4333-8444-555555555555",
    );
    const lost = await run("Where were we? [[plain]]");
    expect(lost.status).toBe("failed");
    // ("No previous sessions found for this project." when gemini has none for the cwd, as when this test runs alone.)
    expect(lost.reason).toMatch(/Invalid session identifier|No previous sessions found/);
    expect(await storedConversation()).toBeNull();

    const next = await run("Start again, tag-four [[recall]]");
    expect(next).toMatchObject({ status: "completed", answer: "I can see: tag-four" });
  });

  it("fails a task whose API call failed, with the API's message as the reason", async () => {
    const result = await run("Please fail [[error]]");
    expect(result.status).toBe("failed");
    expect(result.exitCode).not.toBe(0);
    expect(result.reason).toContain(ERROR_MESSAGE);
  });

  it("recognises a quota limit: the reason says so, the reset time is kept and the agent's queue is parked", async () => {
    const before = Date.now();
    const result = await run("Too much [[ratelimit]]");
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/^rate limited \(resets at [^)]+\): /);
    expect(result.reason).toContain(RATE_LIMIT_MESSAGE);
    // The server asked for an hour (RetryInfo 3600s): gemini gave up at once instead of retrying.
    const resetAt = Date.parse(result.rateLimitResetAt ?? "");
    expect(resetAt - before).toBeGreaterThan(3_500_000);
    expect(resetAt - before).toBeLessThan(3_700_000);
    expect(t.llm.agentRequests().filter((r) => r.scenario === "ratelimit")).toHaveLength(1);
    const client = await t.swarm.connect();
    await expect
      .poll(() => clientInternals(client.client).redis.hget(clientInternals(client.client).ledger.keys.parked, "gemini"), { timeout: 5000 })
      .toBeTruthy();
  });
});
