/**
 * The supervisor's model (`supervisor.llm` in swarm.yaml): an OpenAI-compatible
 * chat-completions endpoint through LangChain. Loaded lazily by the client,
 * only when a model is configured, so a swarm without one never pays for
 * LangChain's start-up. Every call is bounded by a timeout and made once (no
 * retries): a supervisor that waits on a sick model is worse than none.
 */
import { ChatOpenAICompletions } from "@langchain/openai";
import { UsageError, type LlmConfig, type SwarmConfig } from "../core/index.js";
import { apiKeyOf } from "./llm-status.js";

/** The configured model, or a UsageError that says how to configure one. */
export function supervisorLlm(config: SwarmConfig): LlmConfig {
  const llm = config.supervisor?.llm;
  if (!llm) {
    throw new UsageError("no model is configured for the supervisor", {
      hint: "Add `supervisor: { llm: { base_url, model, api_key_env } }` to swarm.yaml and restart the swarm (docs/LLM.md).",
    });
  }
  return llm;
}

export function chatModel(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env): ChatOpenAICompletions {
  const apiKey = apiKeyOf(llm, env);
  if (apiKey === null) {
    throw new UsageError(`the variable ${llm.apiKeyEnv} (supervisor.llm.api_key_env) is not set`, {
      hint: `Export ${llm.apiKeyEnv} in the shell that runs claude-agent (and in the daemon's environment).`,
    });
  }
  return new ChatOpenAICompletions({ model: llm.model, apiKey, configuration: { baseURL: llm.baseUrl }, maxRetries: 0 });
}

const PARSE_ERRORS = new Set(["SyntaxError", "ZodError", "OutputParserException"]);

/** An error as a short phrase for `routedBy` and messages. */
export function shortError(error: unknown, timeoutSec: number): string {
  if (!(error instanceof Error)) return clipped(String(error));
  if (error.name === "TimeoutError" || error.name === "AbortError" || /aborted|timed? ?out/i.test(error.message)) return `no answer within ${timeoutSec} s`;
  if (PARSE_ERRORS.has(error.name) || (error as { lc_error_code?: string }).lc_error_code === "OUTPUT_PARSING_FAILURE") {
    return "the model's answer was not the JSON asked for";
  }
  if (/^connection error/i.test(error.message)) {
    return `cannot reach the model server (${causeCode(error) ?? "connection error"})`;
  }
  return clipped(error.message);
}

/** The first errno-style code down an error's cause chain (ECONNREFUSED, ENOTFOUND, …), else its deepest message. */
function causeCode(error: unknown): string | undefined {
  let deepest: string | undefined;
  for (let cause = (error as { cause?: unknown }).cause, depth = 0; cause && depth < 6; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (cause instanceof Error) deepest = cause.message;
    const errors = (cause as { errors?: unknown[] }).errors;
    cause = Array.isArray(errors) && errors.length > 0 ? errors[0] : (cause as { cause?: unknown }).cause;
  }
  return deepest;
}

function clipped(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
