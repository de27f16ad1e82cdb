/**
 * Codex CLI, headless: `codex exec --json … -` (the prompt from stdin, `-`),
 * `codex exec --json … resume <thread id> -` to continue. JSONL events:
 * `thread.started`, `turn.started`, `item.*` (agent_message,
 * command_execution, file_change, …), `turn.completed` with usage,
 * `turn.failed`, `error`. Settings, auth and sessions live in the agent's
 * own CODEX_HOME. Codex reports tokens, not cost. Checked against the real
 * Codex CLI 0.169.0 and 0.171.0 (test/agents/codex.test.ts): an HTTP error's message is
 * the response body as sent (`{"error":{"message":…}}`), a 429 becomes
 * "exceeded retry limit, last status: 429 Too Many Requests", and a thread it
 * cannot resume ends before any event with `Error: … no rollout found for
 * thread id …` and a stack backtrace on stderr.
 */
import { clip, isLimitMessage, isObject, jsonLines, num, parseObject, str, sum, type JsonObject } from "../events.js";
import { cyan, dim, green, red, yellow } from "../paint.js";
import type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "../runtime.js";
import { toolCall, ToolCallList, type ToolCall } from "../tool-calls.js";
import { option, pipeline, shellQuote } from "../script.js";
import { codexPolicyArgs } from "./policy-args.js";
import { codexTempDir } from "./temp-dir.js";

export function parseCodexEvents(text: string): AgentOutcome {
  const { events, other } = jsonLines(text);
  const outcome: AgentOutcome = { answer: "", events: events.length };
  let completed = false;
  let failure: string | undefined;
  let toolCalls = 0;
  const tools = new ToolCallList();
  for (const event of events) {
    const item = isObject(event.item) ? event.item : null;
    if (event.type === "thread.started") outcome.conversationId = str(event.thread_id) ?? outcome.conversationId;
    else if (event.type === "item.completed" && item?.type === "agent_message") outcome.answer = str(item.text) ?? outcome.answer;
    else if (event.type === "item.completed" && item && TOOL_ITEMS.has(str(item.type) ?? "")) {
      toolCalls += 1;
      tools.add(codexToolCall(item));
    } else if (event.type === "turn.completed") {
      completed = true;
      failure = undefined;
      // Model round trips: the turn's first request, and one more after each tool call it answered.
      outcome.turns = (outcome.turns ?? 0) + 1 + toolCalls;
      toolCalls = 0;
      const usage = isObject(event.usage) ? event.usage : {};
      outcome.inputTokens = sum(outcome.inputTokens, num(usage.input_tokens));
      outcome.outputTokens = sum(outcome.outputTokens, num(usage.output_tokens));
    } else if (event.type === "turn.failed") {
      completed = false;
      failure = apiMessage(str(isObject(event.error) ? event.error.message : undefined) ?? "the turn failed");
    } else if (event.type === "error") {
      // Also sent while Codex reconnects; it only counts if no turn completes afterwards.
      failure = apiMessage(str(event.message) ?? "error");
    }
  }
  Object.assign(outcome, tools.fields());
  if (failure !== undefined || !completed) {
    outcome.isError = true;
    outcome.errorMessage = failure ?? printedError(other) ?? "codex ended without completing a turn";
    if (isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
  }
  return outcome;
}

/** A command run, files changed, or an MCP tool called, as the audit log shows it. */
function codexToolCall(item: JsonObject): ToolCall {
  if (item.type === "command_execution") return toolCall("shell", { command: item.command });
  if (item.type === "file_change") {
    const paths = Array.isArray(item.changes) ? item.changes.map((change) => (isObject(change) ? (str(change.path) ?? "") : "")).filter(Boolean) : [];
    return toolCall("apply_patch", { path: paths.join(", ") });
  }
  return toolCall(`${str(item.server) ?? "mcp"}.${str(item.tool) ?? "tool"}`, item.arguments);
}

/** Items that answer a model's function call, each followed by one more request in the same turn. */
const TOOL_ITEMS = new Set(["command_execution", "file_change", "mcp_tool_call"]);

/** Codex passes an HTTP error's body on as the message: `{"error":{"message":"…"}}` becomes that message. */
function apiMessage(message: string): string {
  const body = parseObject(message.trim());
  const error = body && isObject(body.error) ? body.error : null;
  return str(error?.message) ?? str(body?.message) ?? message;
}

/** What codex printed when it failed before any event: its `Error: …` line (a stack backtrace follows it), else the last lines. */
function printedError(other: readonly string[]): string | undefined {
  if (other.length === 0) return undefined;
  const error = [...other].reverse().find((line) => line.startsWith("Error:"));
  return clip(error ?? other.slice(-5).join("\n"), 2000);
}

/** The text a line shows in the pane, newline included; null for nothing. */
export function renderCodexEvent(line: string): string | null {
  const text = renderLine(line);
  return text === null ? null : `${text}\n`;
}

function renderLine(line: string): string | null {
  const event = parseObject(line.trim());
  if (!event) return line.trim() === "" ? null : line;
  const item = isObject(event.item) ? event.item : null;
  switch (event.type) {
    case "thread.started":
      return dim(`▸ thread ${str(event.thread_id) ?? "?"}`);
    case "item.started":
      return item?.type === "command_execution" ? cyan(`⚙ $ ${clip(str(item.command) ?? "", 160)}`) : null;
    case "item.completed":
      return item ? renderItem(item) : null;
    case "turn.completed": {
      const usage = isObject(event.usage) ? event.usage : {};
      return green(`✔ turn done · ${num(usage.input_tokens) ?? "?"} in · ${num(usage.output_tokens) ?? "?"} out`);
    }
    case "turn.failed":
      return red(`✘ ${str(isObject(event.error) ? event.error.message : undefined) ?? "the turn failed"}`);
    case "error":
      return yellow(`! ${str(event.message) ?? "error"}`);
    default:
      return null;
  }
}

function renderItem(item: JsonObject): string | null {
  switch (item.type) {
    case "agent_message":
      return str(item.text) ?? null;
    case "reasoning":
      return dim(clip(str(item.text) ?? "", 200));
    case "command_execution":
      return dim(`  ⎿ exit ${num(item.exit_code) ?? "?"} · ${clip(str(item.aggregated_output) ?? "", 200) || "(no output)"}`);
    case "file_change": {
      const changes = Array.isArray(item.changes) ? item.changes.filter(isObject) : [];
      return cyan(`✎ ${changes.map((c) => `${str(c.kind) ?? "?"} ${str(c.path) ?? "?"}`).join(", ") || "files changed"}`);
    }
    case "mcp_tool_call":
      return cyan(`⚙ ${str(item.server) ?? "mcp"}.${str(item.tool) ?? "tool"}`);
    case "web_search":
      return cyan(`⌕ ${str(item.query) ?? ""}`);
    case "error":
      return yellow(`! ${str(item.message) ?? "error"}`);
    default:
      return null;
  }
}

export const codexRuntime: AgentRuntime = {
  name: "codex",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    const resume = job.fresh ? null : job.resumeId;
    const argv = [
      job.command ?? "codex",
      "exec",
      "--json",
      // Our sessions choose their own folders; Codex otherwise refuses any that is not a git repository.
      "--skip-git-repo-check",
      ...option("--model", job.model),
      // The agent's command policy, checked by a PreToolUse hook before each shell call (policy-args.ts).
      ...codexPolicyArgs(job.policy, paths.node, job.askChannel),
      ...job.args,
      ...(resume ? ["resume", resume] : []),
      "-",
    ];
    const tmp = codexTempDir(paths.configDir);
    const env: Record<string, string> = tmp ? { CODEX_HOME: paths.configDir, TMPDIR: tmp } : { CODEX_HOME: paths.configDir };
    const setup = tmp ? [`mkdir -p -m 700 -- ${shellQuote(tmp)}`] : [];
    return pipeline({ runtime: "codex", argv, env, prompt: "stdin", setup }, job, paths);
  },
  parseEvents: parseCodexEvents,
  renderEvent: renderCodexEvent,
};
