/**
 * The real Codex CLI (the pinned devDependency, a prebuilt binary) as a
 * headless agent of a real swarm, answering from our scripted Responses API
 * server on loopback. The provider is configured the way docs/RUNTIMES.md
 * tells users to: `-c model_providers.<id>.…` in `args`, the key in `env`.
 * Retries are off in that provider (request_max_retries=0,
 * stream_max_retries=0): with Codex's defaults a 429 keeps it retrying for
 * minutes. Codex starts fast (about 0.5 s per `codex exec` here).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SwarmEvent } from "../../core/index.js";
import { startResponsesServer } from "../fixtures/llm/responses.js";
import { ERROR_MESSAGE, PLAIN_ANSWER, TOOL_COMMAND, TOOL_DONE_ANSWER, TOOL_FILE, TOOL_TEXT } from "../fixtures/llm/scenario.js";
import { nodeLine, programBin } from "./programs.js";
import { roleYaml, TEST_ROLE, textsIn, useProgramSwarm } from "./support.js";
import { clientInternals } from "../../client/index.js";

const CODEX = programBin("codex");
const RESULT_WAIT_MS = 30_000;
const PARK_MS = 3_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function swarmYaml(url: string, cwd: string): string {
  return `
agents:
  - name: codex
    runtime: codex
    command: ${CODEX}${nodeLine(CODEX)}
    cwd: ${cwd}
    model: test-model
    args:
      - --sandbox
      - workspace-write
      - -c
      - model_provider=local
      - -c
      - model_providers.local.name=local
      - -c
      - model_providers.local.base_url=${url}/v1
      - -c
      - model_providers.local.env_key=LOCAL_API_KEY
      - -c
      - model_providers.local.request_max_retries=0
      - -c
      - model_providers.local.stream_max_retries=0
    timeout: 60${roleYaml()}
    env:
      LOCAL_API_KEY: sk-local-test
      # With a system bwrap installed, codex runs its shell tool through it and needs helper links in
      # CODEX_HOME, which it refuses to create under the temp dir; the test's homes are under /tmp.
      TMPDIR: ${cwd}
`;
}

describe("a headless Codex agent", () => {
  // A rate limit parks the agent's queue (60 s by default); keep it short so the test can watch the next task wait.
  const t = useProgramSwarm({
    agent: "codex",
    server: startResponsesServer,
    yaml: swarmYaml,
    env: { CLAUDE_AGENT_TUNING: JSON.stringify({ rateLimitParkMs: PARK_MS }) },
    resultWaitMs: RESULT_WAIT_MS,
  });
  const { run, storedConversation } = t;

  it("answers a prompt with tokens, one round trip and codex's thread id", async () => {
    const result = await run("What is the answer? [[plain]]", { fresh: true });
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: PLAIN_ANSWER, turns: 1, session: "codex-1" });
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(UUID);
    expect(await storedConversation()).toBe(result.agentSessionId);
    // The pane (and so the task's output) shows readable text, not the JSONL stream.
    expect(result.output).toContain(PLAIN_ANSWER);
    expect(result.output).toMatch(/✔ turn done · \d+ in · \d+ out/);
    expect(result.output).not.toContain(`"type":"turn.completed"`);
    // The prompt reached the model from stdin; the key came from the provider's env_key.
    const request = t.llm.agentRequests().at(-1)!;
    expect(request.userTexts.join("\n")).toContain("What is the answer? [[plain]]");
    expect((request.body as { model?: string }).model).toBe("test-model");
    expect(t.llm.authorizations.at(-1)).toBe("Bearer sk-local-test");
  });

  it("reads its role from the AGENTS.md of its own CODEX_HOME and sends it with every request", () => {
    const body = t.llm.agentRequests().at(-1)!.body as { instructions?: unknown; input?: unknown };
    // Codex sends global instructions as an input message of their own, ahead of the prompt.
    const where = [...textsIn(body.instructions), ...textsIn(body.input)].find((text) => text.includes(TEST_ROLE));
    expect(where).toBeDefined();
    expect(readFileSync(join(t.swarm.home, "agents", "codex", "config", "AGENTS.md"), "utf8")).toContain(TEST_ROLE);
    // Nothing was written into the agent's working folder (the user's repository).
    expect(() => readFileSync(join(t.work, "AGENTS.md"))).toThrow();
  });

  it("runs the shell command the model asks for in the agent's cwd, without asking", async () => {
    const result = await run("Write the proof file, tag-one [[tool]]", { fresh: true });
    expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: TOOL_DONE_ANSWER, turns: 2 });
    expect(readFileSync(join(t.work, TOOL_FILE), "utf8").trim()).toBe(TOOL_TEXT);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(result.output).toContain(`⚙ $ /bin/bash -lc '${TOOL_COMMAND}'`);
    expect(result.output).toMatch(/⎿ exit 0 · .*tool-ran/);
    // Codex sent the command's output back to the model in a second request of the same turn.
    const input = (t.llm.agentRequests().at(-1)!.body as { input: { type?: string; output?: unknown }[] }).input;
    expect(input.at(-1)).toMatchObject({ type: "function_call_output" });
    expect(JSON.stringify(input.at(-1)!.output)).toContain("tool-ran");
  });

  it("continues the thread on the next task, and starts a new one with fresh", async () => {
    const before = await storedConversation();
    const next = await run("What did I tag? tag-two [[recall]]");
    expect(next).toMatchObject({ status: "completed", answer: "I can see: tag-one, tag-two", agentSessionId: before });
    expect(t.llm.agentRequests().at(-1)!.userTexts.join("\n")).toContain("Write the proof file, tag-one");

    const fresh = await run("Only tag-three [[recall]]", { fresh: true });
    expect(fresh).toMatchObject({ status: "completed", answer: "I can see: tag-three" });
    expect(fresh.agentSessionId).toMatch(UUID);
    expect(fresh.agentSessionId).not.toBe(before);
    expect(await storedConversation()).toBe(fresh.agentSessionId);
  });

  it("fails a task whose API call failed, with the API's message as the reason", async () => {
    const result = await run("Please fail [[error]]");
    expect(result.status).toBe("failed");
    expect(result.reason).toBe(ERROR_MESSAGE);
  });

  it("forgets a thread codex can no longer resume, so the next task starts a new one", async () => {
    const client = await t.swarm.connect();
    const gone = "01a20000-0000-7000-8000-000000000000";
    await clientInternals(client.client).redis.hset(clientInternals(client.client).ledger.keys.session("codex-1"), "agentSessionId", gone);
    const failed = await run("Continue, tag-four [[recall]]");
    expect(failed.status).toBe("failed");
    expect(failed.reason).toContain(`no rollout found for thread id ${gone}`);
    expect(await storedConversation()).toBeNull();

    const next = await run("Again, tag-five [[recall]]");
    expect(next).toMatchObject({ status: "completed", answer: "I can see: tag-five" });
    expect(next.agentSessionId).not.toBe(gone);
  });

  it("recognises a 429 as a rate limit and parks the agent's queue, so the next task waits and then runs", async () => {
    const client = await t.swarm.connect();
    const since = await client.client.events.lastId();
    const requestsBefore = t.llm.requests.length;
    const limited = await run("Too much [[ratelimit]]");
    expect(limited.status).toBe("failed");
    expect(limited.reason).toMatch(/^rate limited: .*429 Too Many Requests/);
    // With the provider's retries at 0, codex asked once and gave up at once.
    expect(t.llm.requests.slice(requestsBefore).filter((r) => r.scenario === "ratelimit")).toHaveLength(1);

    const next = await client.submit({ task: "And now? [[plain]]", agent: "codex" });
    expect((await client.status()).agents.find((a) => a.name === "codex")?.parkedUntil).toEqual(expect.any(String));
    const result = await next.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    expect(result).toMatchObject({ status: "completed", answer: PLAIN_ANSWER });
    expect(Date.parse(result.startedAt!) - Date.parse(limited.finishedAt!)).toBeGreaterThanOrEqual(PARK_MS - 500);
    const types = (await client.client.events.recent(200)).filter((e: SwarmEvent) => e.id > since && e.agent === "codex").map((e) => e.type);
    expect(types).toContain("agent.parked");
    expect(types.indexOf("agent.resumed")).toBeGreaterThan(types.indexOf("agent.parked"));
  });
});
