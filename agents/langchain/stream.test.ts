import { describe, expect, it } from "vitest";
import { stripAnsi } from "../../core/index.js";
import type { AgentJob } from "../runtime.js";
import { langchainArgv, langchainRuntime } from "./adapter.js";
import type { LangchainEvent } from "./events.js";
import { parseLangchainEvents, renderLangchainEvent } from "./stream.js";

const SESSION = "5f0c9f1e-3a57-4c1c-9d55-3f7f0b1b2c3d";
const lines = (events: LangchainEvent[], extra: string[] = []): string => [...events.map((e) => JSON.stringify(e)), ...extra].join("\n");
const start: LangchainEvent = { type: "start", session_id: SESSION, model: "m", cwd: "/w", resumed: false };
const done = (fields: Partial<Extract<LangchainEvent, { type: "result" }>> = {}): LangchainEvent => ({
  type: "result",
  is_error: false,
  session_id: SESSION,
  answer: "Committed.",
  turns: 3,
  input_tokens: 120,
  output_tokens: 30,
  tool_calls: [{ name: "write_file", ok: true, detail: "a.txt" }],
  duration_ms: 1500,
  ...fields,
});

describe("parsing the langchain agent's events", () => {
  it("reads answer, turns, tokens and the session id", () => {
    expect(parseLangchainEvents(lines([start, { type: "assistant", text: "Writing." }, done()]))).toEqual({
      answer: "Committed.",
      events: 3,
      conversationId: SESSION,
      turns: 3,
      inputTokens: 120,
      outputTokens: 30,
    });
  });

  it("fails on an error result, flagging rate limits", () => {
    const outcome = parseLangchainEvents(lines([start, done({ is_error: true, answer: "", error: "429 Rate limit reached", rate_limited: true })]));
    expect(outcome).toMatchObject({ isError: true, errorMessage: "429 Rate limit reached", rateLimited: true });
  });

  it("fails with the printed lines when no result came (a crash)", () => {
    const outcome = parseLangchainEvents(lines([start], ["node:internal/modules/esm/resolve:1", "Error: Cannot find module 'langchain'"]));
    expect(outcome).toMatchObject({ isError: true, conversationId: SESSION });
    expect(outcome.errorMessage).toContain("Cannot find module");
    expect(parseLangchainEvents("").errorMessage).toBe("the langchain agent ended without a result");
  });
});

describe("rendering the langchain agent's events", () => {
  const shown = (event: LangchainEvent): string => stripAnsi(renderLangchainEvent(JSON.stringify(event)) ?? "");

  it("shows each tool call and its outcome readably", () => {
    expect(shown({ type: "tool_call", id: "c1", name: "run_command", args: { command: "npm test" } })).toBe("⚙ run_command: npm test\n");
    expect(shown({ type: "tool_result", id: "c1", name: "run_command", ok: true, output: "exit code 0\nok" })).toBe("  ⎿ exit code 0 ok\n");
    expect(shown({ type: "tool_result", id: "c2", name: "run_command", ok: false, output: "refused", refused: "deny[0] git\\s+push" })).toBe(
      "  ⎿ run_command: refused by policy (deny[0] git\\s+push): nothing ran\n",
    );
    expect(shown(done())).toBe("✔ done · 3 turns · 1 tool call · 120 in / 30 out tokens · 1.5 s\n");
    expect(shown(done({ is_error: true, error: "boom" }))).toBe("✘ boom\n");
  });

  it("passes other lines through and hides blank ones", () => {
    expect(renderLangchainEvent("(node) warning")).toBe("(node) warning\n");
    expect(renderLangchainEvent("  ")).toBeNull();
  });
});

describe("the langchain adapter's script", () => {
  const job: AgentJob = {
    task: "rm -rf / $(whoami)",
    promptFile: "/h/jobs/T1-1.prompt",
    eventsFile: "/h/jobs/T1-1.events.jsonl",
    cwd: "/w d",
    command: null,
    model: null,
    args: [],
    resumeId: SESSION,
    fresh: false,
    llm: { baseUrl: "http://127.0.0.1:9/v1", model: "m", apiKeyEnv: "KEY" },
    policy: { deny: ["git\\s+push"], ask: ["--context=prod"], allow: [] },
  };
  const paths = { configDir: "/h/agents/lc/config", node: "/usr/bin/node", renderer: "/x/render-stream.js" };

  it("passes settings as flags and the prompt as stdin, never the task text", () => {
    const argv = langchainArgv(job, paths);
    expect(argv.slice(2)).toEqual([
      "--cwd",
      "/w d",
      "--conversations",
      "/h/agents/lc/config/conversations",
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--model",
      "m",
      "--api-key-env",
      "KEY",
      "--resume",
      SESSION,
      "--deny=git\\s+push",
      "--ask=--context=prod",
    ]);
    const script = langchainRuntime.buildScript(job, paths);
    expect(script).not.toContain("whoami");
    expect(script).toContain("< /h/jobs/T1-1.prompt");
    expect(script).toContain("render-stream.js langchain");
  });

  it("starts a new conversation when the task is fresh", () => {
    expect(langchainArgv({ ...job, fresh: true }, paths)).not.toContain("--resume");
  });
});
