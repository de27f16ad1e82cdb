/**
 * Each adapter's parser against its program's output, kept as fixtures
 * (test/fixtures/agents/README.md says which were recorded from the real
 * program and which were written from its documented format).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeAdapter, type AgentOutcome } from "../../agents/index.js";
import type { Runtime } from "../../core/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/agents");
const parse = (runtime: Runtime, file: string): AgentOutcome => runtimeAdapter(runtime).parseEvents(readFileSync(join(FIXTURES, runtime, file), "utf8"));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("claude (recorded from Claude Code 2.1.197)", () => {
  it("reads answer, cost, tokens, turns and session id", () => {
    const outcome = parse("claude", "plain.jsonl");
    expect(outcome).toMatchObject({ answer: "The answer is 42.", turns: 1, events: 3 });
    expect(outcome.conversationId).toMatch(UUID);
    expect(outcome.costUsd).toBeGreaterThan(0);
    expect(outcome.inputTokens).toBeGreaterThan(1000);
    expect(outcome.outputTokens).toBeGreaterThan(0);
    expect(outcome.isError).toBeUndefined();
  });

  it("takes the final answer after a tool round trip", () => {
    expect(parse("claude", "tool.jsonl")).toMatchObject({ answer: "I ran the command and wrote the file.", turns: 2 });
  });

  it("keeps the session id of a resumed conversation", () => {
    expect(parse("claude", "resumed.jsonl")).toMatchObject({
      answer: "I can see: tag-first, tag-second",
      conversationId: "cafb0bec-ac2d-4d58-91e1-0529fb8b7b85",
    });
  });

  it("reports an API error as an error with its message", () => {
    const outcome = parse("claude", "api-error.jsonl");
    expect(outcome).toMatchObject({ isError: true, errorMessage: "API Error: 400 scripted failure: the model refuses this prompt" });
    expect(outcome.rateLimited).toBeUndefined();
  });

  it("recognises a rate limit (HTTP 429)", () => {
    expect(parse("claude", "rate-limit.jsonl")).toMatchObject({ isError: true, rateLimited: true });
  });

  it("reports a conversation it cannot resume", () => {
    expect(parse("claude", "resume-unknown.jsonl")).toMatchObject({
      isError: true,
      errorMessage: "No conversation found with session ID: 00000000-0000-4000-8000-000000000000",
    });
  });

  it("reads a rate_limit_event's reset time, and treats a stream without result as an error", () => {
    const text = [
      `{"type":"system","subtype":"init","session_id":"s-1","model":"m"}`,
      `{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1767225600,"rateLimitType":"five_hour"},"session_id":"s-1"}`,
      "Error: something broke",
    ].join("\n");
    expect(runtimeAdapter("claude").parseEvents(text)).toEqual({
      answer: "",
      events: 2,
      conversationId: "s-1",
      rateLimited: true,
      rateLimitResetAt: "2026-01-01T00:00:00.000Z",
      isError: true,
      errorMessage: "Error: something broke",
    });
  });

  it("says so when the program printed nothing at all", () => {
    expect(runtimeAdapter("claude").parseEvents("")).toMatchObject({ isError: true, errorMessage: "the program ended without a result event", events: 0 });
  });
});

describe("qwen (recorded from Qwen Code 0.15.10)", () => {
  it("reads answer, tokens and session id (qwen reports no cost)", () => {
    const outcome = parse("qwen", "plain.jsonl");
    expect(outcome).toMatchObject({ answer: "The answer is 42.", turns: 1 });
    expect(outcome.conversationId).toMatch(UUID);
    expect(outcome.inputTokens).toBeGreaterThan(0);
    expect(outcome.costUsd).toBeUndefined();
  });

  it("reads a tool round trip and a resumed conversation", () => {
    expect(parse("qwen", "tool.jsonl")).toMatchObject({ answer: "I ran the command and wrote the file.", turns: 2 });
    expect(parse("qwen", "resumed.jsonl")).toMatchObject({
      answer: "I can see: tag-first, tag-second",
      conversationId: "7367bb2e-ee54-4f25-a640-f4d3e3fccb2c",
    });
  });

  it("turns qwen's `[API Error: …]` answer (reported as success) into an error", () => {
    expect(parse("qwen", "api-error.jsonl")).toMatchObject({
      isError: true,
      errorMessage: "API Error: 400 scripted failure: the model refuses this prompt",
    });
  });
});

describe("qwen (recorded from Qwen Code 0.24.4, which prints a ripgrep warning before its events)", () => {
  it("reads answer, tokens, session id and a tool round trip", () => {
    const outcome = parse("qwen", "0.24.4/plain.jsonl");
    expect(outcome).toMatchObject({ answer: "The answer is 42.", turns: 1 });
    expect(outcome.conversationId).toMatch(UUID);
    expect(outcome.inputTokens).toBeGreaterThan(0);
    expect(outcome.isError).toBeUndefined();
    expect(parse("qwen", "0.24.4/tool.jsonl")).toMatchObject({ answer: "I ran the command and wrote the file.", turns: 2 });
  });

  it("reads a failed API call from the result's error.message (0.24 sends no result text)", () => {
    expect(parse("qwen", "0.24.4/api-error.jsonl")).toMatchObject({
      isError: true,
      errorMessage: "API Error: 400 scripted failure: the model refuses this prompt",
    });
  });
});

describe("codex (recorded from the real Codex CLI 0.169.0 against our Responses API server, plus written ones)", () => {
  it("reads the last agent message, tokens, round trips and thread id, past codex's warning lines and items", () => {
    expect(parse("codex", "plain.jsonl")).toEqual({
      answer: "The answer is 42.",
      events: 5,
      conversationId: "01a200f5-3c5a-7251-bb90-e6a221f7c8f4",
      turns: 1,
      inputTokens: 5166,
      outputTokens: 42,
    });
  });

  it("counts a round trip per tool call answered in a turn", () => {
    const outcome = parse("codex", "tool.jsonl");
    expect(outcome).toMatchObject({ answer: "I ran the command and wrote the file.", turns: 2, inputTokens: 10750, outputTokens: 101 });
    expect(outcome.isError).toBeUndefined();
  });

  it("reports an API error's message, not the response body around it", () => {
    expect(parse("codex", "api-error.jsonl")).toMatchObject({ isError: true, errorMessage: "scripted failure: the model refuses this prompt" });
    expect(parse("codex", "api-error.jsonl").rateLimited).toBeUndefined();
  });

  it("recognises a 429 and a usage limit as rate limits", () => {
    expect(parse("codex", "rate-limit.jsonl")).toMatchObject({
      isError: true,
      rateLimited: true,
      errorMessage: "exceeded retry limit, last status: 429 Too Many Requests",
    });
    expect(parse("codex", "usage-limit.jsonl")).toMatchObject({ isError: true, rateLimited: true, errorMessage: expect.stringContaining("usage limit") });
  });

  it("ignores a reconnect error once a turn completes", () => {
    const outcome = parse("codex", "reconnected.jsonl");
    expect(outcome).toMatchObject({ answer: "Done after a retry.", turns: 1 });
    expect(outcome.isError).toBeUndefined();
  });

  it("reports what codex printed when it produced no events: its Error line, not the backtrace after it", () => {
    expect(parse("codex", "not-a-repo.jsonl")).toMatchObject({ isError: true, errorMessage: expect.stringContaining("--skip-git-repo-check") });
    expect(parse("codex", "no-rollout.jsonl")).toMatchObject({
      isError: true,
      errorMessage: "Error: thread/resume: thread/resume failed: no rollout found for thread id 01a20000-0000-7000-8000-000000000000 (code -32600)",
    });
  });
});

describe("gemini (written from the documented stream-json and json formats)", () => {
  it("joins assistant deltas and reads tokens and session id", () => {
    expect(parse("gemini", "plain.jsonl")).toEqual({
      answer: "The answer is 42.",
      events: 5,
      conversationId: "8f6b2c3e-6d1a-4f0e-9a51-2b7c1d9e4f20",
      inputTokens: 8120,
      outputTokens: 23,
    });
  });

  it("keeps only the text after the last tool call as the answer", () => {
    expect(parse("gemini", "tool.jsonl")).toMatchObject({ answer: "I ran the command and wrote the file.", inputTokens: 17322, outputTokens: 88 });
  });

  it("reports an error result, recognising a quota", () => {
    expect(parse("gemini", "quota.jsonl")).toMatchObject({ isError: true, rateLimited: true, errorMessage: expect.stringContaining("Quota exceeded") });
  });

  it("reads the single-object json output, summing tokens over models", () => {
    expect(parse("gemini", "single.json")).toEqual({
      answer: "The answer is 42.",
      events: 1,
      conversationId: "5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170",
      inputTokens: 8850,
      outputTokens: 35,
    });
  });
});

describe("gemini (recorded from Gemini CLI 0.61.0)", () => {
  it("reads the answer, tokens and session id among gemini's stderr lines", () => {
    expect(parse("gemini", "real-plain.jsonl")).toEqual({
      answer: "The answer is 42.",
      events: 4,
      conversationId: "57f4a914-7c35-44a4-b350-3e2688442894",
      inputTokens: 130,
      outputTokens: 8,
    });
  });

  it("takes the answer after a shell tool round trip", () => {
    const outcome = parse("gemini", "real-tool.jsonl");
    expect(outcome.answer).toBe("I ran the command and wrote the file.");
    expect(outcome.isError).toBeUndefined();
    expect(outcome.inputTokens).toBeGreaterThan(0);
  });

  it("fails with the API's message", () => {
    const outcome = parse("gemini", "real-error.jsonl");
    expect(outcome).toMatchObject({ isError: true, errorMessage: expect.stringContaining("scripted failure: the model refuses this prompt") });
    expect(outcome.rateLimited).toBeUndefined();
  });

  it("recognises a quota gemini gave up on, with the reset time its retry delay gives", () => {
    expect(parse("gemini", "real-ratelimit.jsonl")).toMatchObject({
      isError: true,
      rateLimited: true,
      errorMessage: expect.stringContaining("You exceeded your current quota"),
      rateLimitResetAt: expect.any(String),
    });
    const { rateLimitResetAt } = parse("gemini", "real-ratelimit.jsonl");
    const result = readFileSync(join(FIXTURES, "gemini", "real-ratelimit.jsonl"), "utf8")
      .split("\n")
      .find((line) => line.includes('"type":"result"'))!;
    expect(Date.parse(rateLimitResetAt!) - Date.parse((JSON.parse(result) as { timestamp: string }).timestamp)).toBe(3600_000);
  });

  it("recognises the API's plain 429 wording (Resource has been exhausted) as a limit", () => {
    const outcome = parse("gemini", "real-exhausted.jsonl");
    expect(outcome).toMatchObject({ isError: true, rateLimited: true, errorMessage: expect.stringContaining("Resource has been exhausted") });
    expect(outcome.rateLimitResetAt).toBeUndefined();
  });

  it("reports a conversation it does not have in the words the bridge looks for", () => {
    expect(parse("gemini", "real-resume-unknown.txt")).toMatchObject({ isError: true, errorMessage: expect.stringContaining("Invalid session identifier") });
  });
});

describe("aider (written from its plain output)", () => {
  it("reads the reply, tokens, cost and our chat id", () => {
    expect(parse("aider", "plain.txt")).toEqual({
      answer: "The answer is 42.",
      events: 1,
      conversationId: "T0001-1",
      turns: 1,
      inputTokens: 2300,
      outputTokens: 12,
      costUsd: 0.0071,
    });
  });

  it("keeps the reply of an edit and drops aider's status lines", () => {
    const outcome = parse("aider", "edit.txt");
    expect(outcome.answer).toMatch(/^I'll add a greeting function to hello\.py\.\n\nhello\.py\n<<<<<<< SEARCH/);
    expect(outcome.answer).not.toMatch(/Added hello\.py|Main model/);
    expect(outcome).toMatchObject({ inputTokens: 4500, outputTokens: 429, costUsd: 0.02 });
  });

  it("lists the edits aider applied and the commits it made for the audit log, but not the same words in a reply", () => {
    expect(parse("aider", "edit.txt").toolCalls).toEqual([
      { tool: "edit", detail: "hello.py" },
      { tool: "commit", detail: "3f2a1bc feat: Add greet function" },
    ]);
    const forged = runtimeAdapter("aider").parseEvents(
      ["claude-agent: aider chat T1", "Sure.", "Applied edit to /etc/passwd", "Commit deadbee rm -rf", "Tokens: 1k sent, 10 received."].join("\n"),
    );
    expect(forged.toolCalls).toBeUndefined();
    expect(parse("aider", "plain.txt").toolCalls).toBeUndefined();
  });

  it("reports litellm errors, recognising a rate limit", () => {
    expect(parse("aider", "rate-limit.txt")).toMatchObject({ isError: true, rateLimited: true, errorMessage: expect.stringContaining("RateLimitError") });
    const auth = parse("aider", "auth-error.txt");
    expect(auth).toMatchObject({ isError: true, errorMessage: expect.stringContaining("AuthenticationError") });
    expect(auth.rateLimited).toBeUndefined();
  });
});

describe("shell", () => {
  it("has no event stream", () => {
    expect(runtimeAdapter("shell").parseEvents("anything")).toEqual({ answer: "", events: 0 });
  });
});
