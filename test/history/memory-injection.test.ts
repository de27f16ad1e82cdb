/**
 * Memory in real agent programs' prompts: the pinned Claude Code and our
 * LangChain agent, each with `memory: { inject: true }`, in one real swarm
 * answering from scripted model servers on loopback. The servers see the
 * delimited memory block before the task (only entries of the agent's own
 * scopes), and each result records the entries used.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLOCK_END, BLOCK_START } from "../../history/index.js";
import { startAnthropicServer, type AnthropicServer } from "../fixtures/llm/anthropic.js";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/llm/openai.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");
const WAIT = { signal: AbortSignal.timeout(90_000) };

describe("memory injected into agent programs' prompts", () => {
  let anthropic: AnthropicServer;
  let openai: OpenAiServer;
  let swarm: TestSwarm;
  let work: string;
  beforeAll(async () => {
    anthropic = await startAnthropicServer();
    openai = await startOpenAiServer();
    work = mkdtempSync(join(tmpdir(), "ca-mem-work-"));
    swarm = await startTestSwarm(`
agents:
  - name: claude-coder
    runtime: claude
    command: ${CLAUDE}
    cwd: ${work}
    args: [--permission-mode, acceptEdits]
    timeout: 90
    memory: { inject: true, top_k: 3, max_chars: 2000 }
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${anthropic.url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
  - name: lc-coder
    runtime: langchain
    cwd: ${work}
    timeout: 90
    memory: { inject: true }
    llm: { base_url: "${openai.url}/v1", model: test-model }
`);
  }, 180_000);
  afterAll(async () => {
    await swarm?.destroy();
    await anthropic?.close();
    await openai?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const add = (args: string[]): string => {
    const added = swarm.cli(["memory", "add", ...args]);
    expect(added.exitCode, added.stderr).toBe(0);
    return added.stdout.trim();
  };

  it("puts the agent's best entries, delimited, before the task in Claude Code's prompt and records them", { timeout: 240_000 }, async () => {
    const mine = add(["--agent", "claude-coder", "The billing API validates input with zod; never add joi"]);
    const shared = add(["Every change to billing needs a migration note"]);
    const other = add(["--agent", "lc-coder", "The billing prototype keeps state in memory only"]);
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "Add input validation to the billing API [[plain]]", agent: "claude-coder" })).result(WAIT);
    expect(result.status).toBe("completed");
    const prompt = anthropic.agentRequests().at(-1)?.userTexts.join("\n") ?? "";
    expect(prompt).toContain(BLOCK_START);
    expect(prompt).toContain(`[${mine}] The billing API validates input with zod; never add joi`);
    expect(prompt).toContain(`[${shared}] Every change to billing needs a migration note`);
    expect(prompt).not.toContain(other);
    expect(prompt.indexOf(BLOCK_END)).toBeLessThan(prompt.indexOf("Add input validation to the billing API"));
    expect(result.memoryEntries).toEqual(expect.arrayContaining([mine, shared]));
    expect(result.memoryEntries).not.toContain(other);
  });

  it("puts them into the LangChain agent's prompt as well", { timeout: 240_000 }, async () => {
    const entry = add(["--agent", "lc-coder", "Release notes are written in the past tense"]);
    const client = await swarm.connect();
    const result = await (await client.submit({ task: "Write the release notes for 2.0 [[plain]]", agent: "lc-coder" })).result(WAIT);
    expect(result.status).toBe("completed");
    const prompt = openai.agentRequests().at(-1)?.userTexts.join("\n") ?? "";
    expect(prompt).toContain(`${BLOCK_START}\n- [${entry}] Release notes are written in the past tense`);
    expect(result.memoryEntries).toContain(entry);
  });
});
