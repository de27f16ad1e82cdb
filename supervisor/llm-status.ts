/**
 * Whether the supervisor's LLM features (routing, summaries, planning) are on
 * here, and why not: for `status` and `doctor`. Light on purpose: it must not
 * load LangChain, so a swarm without a model never pays for it.
 */
import type { LlmConfig, SwarmConfig } from "../core/index.js";

export interface LlmFeatures {
  readonly enabled: boolean;
  /** One line for people: "on: …" or "off: <why>". */
  readonly detail: string;
  readonly model?: string;
  readonly baseUrl?: string;
}

/** The API key from `env`, "not-needed" when the server takes none; null when the named variable is not set. */
export function apiKeyOf(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env): string | null {
  if (llm.apiKeyEnv === null) return "not-needed";
  return env[llm.apiKeyEnv] || null;
}

export function llmFeatures(config: SwarmConfig, env: NodeJS.ProcessEnv = process.env): LlmFeatures {
  const llm = config.supervisor?.llm;
  if (!llm) {
    return {
      enabled: false,
      detail: "off: swarm.yaml has no supervisor.llm, so tasks are routed by keywords and `result --summary` and `submit --plan` are unavailable",
    };
  }
  const where = { model: llm.model, baseUrl: llm.baseUrl };
  if (apiKeyOf(llm, env) === null) {
    return {
      enabled: false,
      ...where,
      detail: `off here: ${llm.apiKeyEnv} (supervisor.llm.api_key_env) is not set in this environment, so routing falls back to keywords`,
    };
  }
  return { enabled: true, ...where, detail: `on: ${llm.model} at ${llm.baseUrl} routes tasks without --agent, summarises results and plans` };
}
