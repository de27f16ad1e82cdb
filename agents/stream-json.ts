/**
 * The "stream-json" event format of Claude Code (`-p --output-format
 * stream-json --verbose`), which Qwen Code also writes (`-o stream-json`):
 * one JSON object a line, `system`/`init` first, `assistant` and `user`
 * messages, a closing `result` with cost, usage and the session id.
 */
import { clip, epochToIso, isLimitMessage, isObject, jsonLines, num, parseObject, str, sum, type JsonObject } from "./events.js";
import { cyan, dim, green, red, yellow } from "./paint.js";
import type { AgentOutcome } from "./runtime.js";
import { toolCall, ToolCallList } from "./tool-calls.js";

export function parseStreamJson(text: string): AgentOutcome {
  const { events, other } = jsonLines(text);
  const outcome: AgentOutcome = { answer: "", events: events.length };
  let lastText = "";
  let result: JsonObject | null = null;
  const tools = new ToolCallList();
  for (const event of events) {
    outcome.conversationId = str(event.session_id) ?? outcome.conversationId;
    if (event.type === "assistant") {
      const content = blocks(event.message);
      const texts = content.filter((b) => b.type === "text").map((b) => String(b.text ?? ""));
      if (texts.length > 0) lastText = texts.join("");
      for (const block of content) if (block.type === "tool_use") tools.add(toolCall(block.name, block.input));
      if (event.error === "rate_limit") outcome.rateLimited = true;
    } else if (event.type === "rate_limit_event" && isObject(event.rate_limit_info)) {
      const info = event.rate_limit_info;
      if (info.status === "rejected") {
        outcome.rateLimited = true;
        const reset = num(info.resetsAt);
        if (reset !== undefined) outcome.rateLimitResetAt = epochToIso(reset);
      }
    } else if (event.type === "result") {
      result = event;
    }
  }
  Object.assign(outcome, tools.fields());
  if (!result) {
    outcome.answer = lastText;
    outcome.isError = true;
    outcome.errorMessage = other.length > 0 ? clip(other.slice(-5).join("\n"), 2000) : "the program ended without a result event";
    if (isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
    return outcome;
  }
  outcome.answer = typeof result.result === "string" ? result.result : lastText;
  outcome.costUsd = num(result.total_cost_usd);
  outcome.turns = num(result.num_turns);
  if (isObject(result.usage)) {
    const usage = result.usage;
    outcome.inputTokens = sum(sum(num(usage.input_tokens), num(usage.cache_creation_input_tokens)), num(usage.cache_read_input_tokens));
    outcome.outputTokens = num(usage.output_tokens);
  }
  const failed = result.is_error === true || (typeof result.subtype === "string" && result.subtype.startsWith("error"));
  if (failed) {
    outcome.isError = true;
    const printed = other.length > 0 ? clip(other.slice(-5).join("\n"), 2000) : undefined;
    outcome.errorMessage = str(result.result) ?? errorsOf(result) ?? printed ?? `the program reported ${String(result.subtype ?? "an error")}`;
    if (result.api_error_status === 429 || isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
  }
  return outcome;
}

/** The text a line shows in the pane, newline included; null for nothing. */
export function renderStreamJson(line: string): string | null {
  const text = renderEvent(line);
  return text === null ? null : `${text}\n`;
}

function renderEvent(line: string): string | null {
  const event = parseObject(line.trim());
  if (!event) return line.trim() === "" ? null : line;
  switch (event.type) {
    case "system":
      if (event.subtype === "init") return dim(`▸ session ${str(event.session_id) ?? "?"} · model ${str(event.model) ?? "?"}`);
      return null;
    case "assistant":
      return joined(blocks(event.message).map(renderBlock));
    case "user":
      return joined(
        blocks(event.message)
          .filter((b) => b.type === "tool_result")
          .map(renderToolResult),
      );
    case "rate_limit_event": {
      const info = isObject(event.rate_limit_info) ? event.rate_limit_info : {};
      if (info.status !== "rejected") return null;
      const reset = num(info.resetsAt);
      return yellow(`⏸ rate limited${reset === undefined ? "" : ` until ${epochToIso(reset)}`}`);
    }
    case "result":
      return renderResult(event);
    default:
      return null;
  }
}

function renderBlock(block: JsonObject): string | null {
  if (block.type === "text") return str(block.text) ?? null;
  if (block.type === "tool_use") {
    const input = isObject(block.input) ? block.input : {};
    const detail = str(input.command) ?? str(input.file_path) ?? str(input.path) ?? str(input.pattern) ?? JSON.stringify(input);
    return cyan(`⚙ ${str(block.name) ?? "tool"}: ${clip(detail, 160)}`);
  }
  return null;
}

function renderToolResult(block: JsonObject): string {
  const content =
    typeof block.content === "string"
      ? block.content
      : blocks({ content: block.content })
          .map((b) => str(b.text) ?? "")
          .join(" ");
  const text = `  ⎿ ${clip(content, 200) || "(no output)"}`;
  return block.is_error === true ? red(text) : dim(text);
}

function renderResult(event: JsonObject): string {
  const failed = event.is_error === true || (typeof event.subtype === "string" && event.subtype.startsWith("error"));
  if (failed) return red(`✘ ${clip(str(event.result) ?? errorsOf(event) ?? String(event.subtype), 300)}`);
  const facts = [
    num(event.num_turns) !== undefined ? `${num(event.num_turns)} turns` : null,
    num(event.total_cost_usd) !== undefined ? `$${num(event.total_cost_usd)!.toFixed(4)}` : null,
    num(event.duration_ms) !== undefined ? `${(num(event.duration_ms)! / 1000).toFixed(1)} s` : null,
  ].filter(Boolean);
  return green(`✔ done${facts.length > 0 ? ` · ${facts.join(" · ")}` : ""}`);
}

function blocks(message: unknown): JsonObject[] {
  if (!isObject(message)) return [];
  const content = message.content;
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

function errorsOf(result: JsonObject): string | undefined {
  return Array.isArray(result.errors) && result.errors.length > 0 ? result.errors.map(String).join("; ") : undefined;
}

function joined(lines: (string | null)[]): string | null {
  const shown = lines.filter((line): line is string => line !== null && line !== "");
  return shown.length > 0 ? shown.join("\n") : null;
}
