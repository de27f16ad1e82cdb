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

/** An error as a short phrase for `routedBy` and messages. */
export function shortError(error: unknown, timeoutSec: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError" || /aborted|timed? ?out/i.test(error.message))) {
    return `no answer within ${timeoutSec} s`;
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
  return message.length > 120 ? `${message.slice(0, 119)}…` : message;
}
