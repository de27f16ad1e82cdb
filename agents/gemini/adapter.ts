/**
 * Gemini CLI, headless: the prompt on stdin (gemini reads piped stdin as the
 * prompt when it is not a terminal), `--output-format stream-json` so the
 * pane shows progress: `init` (session id), `message` (assistant text in
 * deltas), `tool_use`, `tool_result`, `error`, `result` (status, stats).
 * `--resume <session id>` continues a conversation. Its home is the agent's
 * GEMINI_CLI_HOME (state under `<dir>/.gemini`), whose settings.json gets
 * our defaults before each task (settings.ts) and, for an agent with a
 * `policy:`, the BeforeTool hook that checks its shell commands
 * (policy-hook.ts). The single-object
 * `--output-format json` ({session_id, response, stats, error}) parses too.
 * Checked against the real gemini 0.61.0 (test/agents/gemini.test.ts).
 */
import { dirname, join } from "node:path";
import { clip, isLimitMessage, isObject, jsonLines, num, parseObject, str, sum, type JsonObject } from "../events.js";
import { cyan, dim, green, red, yellow } from "../paint.js";
import type { AgentJob, AgentOutcome, AgentRuntime, ScriptPaths } from "../runtime.js";
import { toolCall, ToolCallList } from "../tool-calls.js";
import { option, pipeline, shellQuote } from "../script.js";
import { geminiPolicySettings } from "./policy-hook.js";

export function parseGeminiEvents(text: string): AgentOutcome {
  const whole = jsonDocument(text);
  if (whole && whole.type === undefined && ("response" in whole || "error" in whole)) return parseJsonOutput(whole);
  const { events, other } = jsonLines(text);
  const outcome: AgentOutcome = { answer: "", events: events.length };
  let answer = "";
  let result: JsonObject | null = null;
  let lastError: string | undefined;
  const tools = new ToolCallList();
  for (const event of events) {
    if (event.type === "init") outcome.conversationId = str(event.session_id) ?? outcome.conversationId;
    else if (event.type === "message" && event.role === "assistant")
      answer = event.delta === true ? answer + (str(event.content) ?? "") : (str(event.content) ?? "");
    else if (event.type === "tool_use") {
      answer = "";
      tools.add(toolCall(event.tool_name, event.parameters));
    } else if (event.type === "error" && event.severity === "error") lastError = str(event.message) ?? lastError;
    else if (event.type === "result") result = event;
  }
  outcome.answer = answer;
  Object.assign(outcome, tools.fields());
  const stats = result && isObject(result.stats) ? result.stats : null;
  if (stats) {
    outcome.inputTokens = num(stats.input_tokens);
    outcome.outputTokens = num(stats.output_tokens);
  }
  const error = result && isObject(result.error) ? str(result.error.message) : undefined;
  if (!result || result.status === "error") {
    outcome.isError = true;
    outcome.errorMessage = error ?? lastError ?? (other.length > 0 ? clip(other.slice(-5).join("\n"), 2000) : "gemini ended without a result event");
    if (isLimitMessage(outcome.errorMessage) || GEMINI_LIMIT.test(outcome.errorMessage)) {
      outcome.rateLimited = true;
      const resetAt = retryTime(outcome.errorMessage, str(result?.timestamp));
      if (resetAt) outcome.rateLimitResetAt = resetAt;
    }
  }
  return outcome;
}

/**
 * gemini's words for an HTTP 429 (with an API key it adds "request a quota
 * increase" to every one; the API's own text is often "Resource has been
 * exhausted"). It retries a 429 itself while the server's retry delay is at
 * most 5 minutes, up to `general.maxAttempts` tries; what reaches us is a
 * limit it gave up on.
 */
const GEMINI_LIMIT = /resource has been exhausted|exhausted your (?:daily )?quota|request a quota increase|exhausted your capacity/i;

/** "Suggested retry after 3600s." counted from the result event's time, as ISO 8601. */
function retryTime(message: string, timestamp: string | undefined): string | undefined {
  const match = /retry after (\d+(?:\.\d+)?)(ms|s)\b/i.exec(message);
  const at = timestamp ? Date.parse(timestamp) : Number.NaN;
  if (!match || !Number.isFinite(at)) return undefined;
  return new Date(at + Number(match[1]) * (match[2] === "ms" ? 1 : 1000)).toISOString();
}

/** The pretty-printed object `--output-format json` ends with, after whatever stderr printed first. */
function jsonDocument(text: string): JsonObject | null {
  const start = text.startsWith("{") ? 0 : text.indexOf("\n{") + 1;
  if (start === 0 && !text.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(text.slice(start));
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** `--output-format json`: one object at the end; tokens are per model under stats.models. */
function parseJsonOutput(output: JsonObject): AgentOutcome {
  const outcome: AgentOutcome = { answer: str(output.response) ?? "", events: 1, conversationId: str(output.session_id) };
  const models = isObject(output.stats) && isObject(output.stats.models) ? Object.values(output.stats.models).filter(isObject) : [];
  for (const model of models) {
    const tokens = isObject(model.tokens) ? model.tokens : {};
    outcome.inputTokens = sum(outcome.inputTokens, num(tokens.prompt));
    outcome.outputTokens = sum(outcome.outputTokens, num(tokens.candidates));
  }
  if (isObject(output.error)) {
    outcome.isError = true;
    outcome.errorMessage = str(output.error.message) ?? "gemini reported an error";
    if (output.error.code === 429 || isLimitMessage(outcome.errorMessage)) outcome.rateLimited = true;
  }
  return outcome;
}

/**
 * The text a line shows in the pane. Assistant text arrives in deltas, which
 * are written as they come (no newline); every other event starts a line.
 */
export function renderGeminiEvent(line: string): string | null {
  const event = parseObject(line.trim());
  if (!event) return line.trim() === "" ? null : `${line}\n`;
  switch (event.type) {
    case "init":
      return `${dim(`▸ session ${str(event.session_id) ?? "?"} · model ${str(event.model) ?? "?"}`)}\n`;
    case "message":
      if (event.role !== "assistant") return null;
      return event.delta === true ? (str(event.content) ?? null) : `${str(event.content) ?? ""}\n`;
    case "tool_use": {
      const params = isObject(event.parameters) ? event.parameters : {};
      return `\n${cyan(`⚙ ${str(event.tool_name) ?? "tool"}: ${clip(str(params.command) ?? str(params.file_path) ?? JSON.stringify(params), 160)}`)}\n`;
    }
    case "tool_result": {
      const text = `  ⎿ ${clip(str(event.output) ?? str(isObject(event.error) ? event.error.message : undefined) ?? "", 200) || "(no output)"}`;
      return `${event.status === "error" ? red(text) : dim(text)}\n`;
    }
    case "error":
      return `\n${yellow(`! ${str(event.message) ?? "error"}`)}\n`;
    case "result": {
      if (event.status === "error") return `\n${red(`✘ ${str(isObject(event.error) ? event.error.message : undefined) ?? "error"}`)}\n`;
      const stats = isObject(event.stats) ? event.stats : {};
      return `\n${green(`✔ done · ${num(stats.input_tokens) ?? "?"} in · ${num(stats.output_tokens) ?? "?"} out`)}\n`;
    }
    default:
      return null;
  }
}

export const geminiRuntime: AgentRuntime = {
  name: "gemini",
  defaultMode: "headless",
  structured: true,
  buildScript(job: AgentJob, paths: ScriptPaths): string {
    const argv = [
      job.command ?? "gemini",
      "--output-format",
      "stream-json",
      ...option("--model", job.model),
      ...option("--resume", job.fresh ? null : job.resumeId),
      ...job.args,
    ];
    // Our defaults in its settings (settings.ts), written in the pane, where the agent's env is known; with a
    // policy, its hook too (policy-hook.ts): gemini does not start without it, and the reason is the task's.
    const words = [paths.node, join(dirname(paths.renderer), "gemini", "prepare-settings.js"), paths.configDir, ...(job.policyFile ? [job.policyFile] : [])];
    const prepare = words.map(shellQuote).join(" ");
    const setup = job.policyFile ? `${prepare} 2>> ${shellQuote(job.eventsFile)} || exit 3` : prepare;
    return pipeline({ runtime: "gemini", argv, env: { GEMINI_CLI_HOME: paths.configDir }, prompt: "stdin", setup: [setup] }, job, paths);
  },
  policySettings: geminiPolicySettings,
  parseEvents: parseGeminiEvents,
  renderEvent: renderGeminiEvent,
};
