/**
 * Reading the LangChain agent's event stream (events.ts): into an
 * AgentOutcome after the job, and into readable lines for the pane while it
 * runs. Both never throw; lines that are not events (stderr) are shown as
 * they are and, when no result arrived, become the error message.
 */
import { clip, isLimitMessage, isObject, jsonLines, num, parseObject, str, type JsonObject } from "../events.js";
import { cyan, dim, green, red, yellow } from "../paint.js";
import type { AgentOutcome } from "../runtime.js";
import { toolDetail } from "./events.js";
import { toolCall, ToolCallList } from "../tool-calls.js";

export function parseLangchainEvents(text: string): AgentOutcome {
  const { events, other } = jsonLines(text);
  const outcome: AgentOutcome = { answer: "", events: events.length };
  let lastText = "";
  let result: JsonObject | null = null;
  const tools = new ToolCallList();
  for (const event of events) {
    outcome.conversationId = str(event.session_id) ?? outcome.conversationId;
    if (event.type === "assistant") lastText = str(event.text) ?? lastText;
    else if (event.type === "tool_call") tools.add(toolCall(event.name, event.args));
    else if (event.type === "result") result = event;
  }
  Object.assign(outcome, tools.fields());
  if (!result) {
    outcome.answer = lastText;
    outcome.isError = true;
    outcome.errorMessage = other.length > 0 ? clip(other.slice(-5).join("\n"), 2000) : "the langchain agent ended without a result";
    outcome.rateLimited = isLimitMessage(outcome.errorMessage) || undefined;
    return outcome;
  }
  outcome.answer = str(result.answer) ?? lastText;
  outcome.turns = num(result.turns);
  outcome.inputTokens = num(result.input_tokens);
  outcome.outputTokens = num(result.output_tokens);
  if (result.is_error === true) {
    outcome.isError = true;
    outcome.errorMessage = str(result.error) ?? "the langchain agent reported an error";
    if (result.rate_limited === true) outcome.rateLimited = true;
  }
  return outcome;
}

/** The id of the tool call shown last: a result that follows its own call needs no name, one of parallel calls does. */
let lastCallShown: string | null = null;

/** The text one line of the stream shows in the pane, newline included; null for nothing. */
export function renderLangchainEvent(line: string): string | null {
  const event = parseObject(line.trim());
  if (!event) return line.trim() === "" ? null : `${line}\n`;
  const text = render(event);
  return text === null ? null : `${text}\n`;
}

function render(event: JsonObject): string | null {
  switch (event.type) {
    case "start":
      return dim(
        `▸ session ${str(event.session_id) ?? "?"}${event.resumed === true ? " (continued)" : ""} · model ${str(event.model) ?? "?"} · ${str(event.cwd) ?? ""}`,
      );
    case "assistant":
      return str(event.text) ?? null;
    case "tool_call": {
      lastCallShown = str(event.id) ?? null;
      const detail = toolDetail(isObject(event.args) ? event.args : {});
      return cyan(`⚙ ${str(event.name) ?? "tool"}${detail ? `: ${clip(detail, 160)}` : ""}`);
    }
    case "tool_result": {
      const own = str(event.id) !== undefined && str(event.id) === lastCallShown;
      const prefix = `  ⎿ ${own ? "" : `${str(event.name) ?? "tool"}: `}`;
      if (typeof event.refused === "string") return yellow(`${prefix}refused by policy (${event.refused}): nothing ran`);
      const output = clip(str(event.output) ?? "", 300) || "(no output)";
      return event.ok === true ? dim(`${prefix}${output}`) : red(`${prefix}${output}`);
    }
    case "result":
      return renderResult(event);
    default:
      return null;
  }
}

function renderResult(event: JsonObject): string {
  if (event.is_error === true) return red(`✘ ${clip(str(event.error) ?? "failed", 300)}`);
  const calls = Array.isArray(event.tool_calls) ? event.tool_calls.length : 0;
  const facts = [
    `${num(event.turns) ?? 0} turns`,
    `${calls} tool call${calls === 1 ? "" : "s"}`,
    `${num(event.input_tokens) ?? 0} in / ${num(event.output_tokens) ?? 0} out tokens`,
    num(event.duration_ms) !== undefined ? `${(num(event.duration_ms)! / 1000).toFixed(1)} s` : null,
  ].filter(Boolean);
  return green(`✔ done · ${facts.join(" · ")}`);
}
