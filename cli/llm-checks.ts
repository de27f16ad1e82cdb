/**
 * `doctor`'s view of the model features: whether the supervisor's model is
 * configured in the swarm.yaml that `up` would use, whether its key is set
 * here, and whether its endpoint answers; the same for each langchain agent.
 * Informational: a swarm without a model works, with keyword routing.
 */
import { ConfigError, findConfigFile, loadConfig, type LlmConfig, type SwarmConfig } from "../core/index.js";
import { apiKeyOf, llmFeatures } from "../supervisor/index.js";

export interface LlmReport {
  /** The supervisor's features: "on: …" or "off: <why>". */
  readonly supervisor: { readonly enabled: boolean; readonly detail: string; readonly fix?: string };
  /** One line per model endpoint in use (the supervisor's, each langchain agent's). */
  readonly endpoints: readonly { readonly user: string; readonly ok: boolean; readonly detail: string; readonly fix?: string }[];
}

const PROBE_MS = 3000;

export async function llmReport(options: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<LlmReport> {
  const env = options.env ?? process.env;
  let config: SwarmConfig;
  try {
    const file = findConfigFile({ cwd: options.cwd ?? process.cwd(), home: options.home });
    if (file === null) return { supervisor: { enabled: false, detail: "off: no swarm.yaml found (keyword routing)" }, endpoints: [] };
    config = loadConfig({ cwd: options.cwd ?? process.cwd(), home: options.home, explicit: file });
  } catch (error) {
    const why = error instanceof ConfigError ? (error.problems[0] ?? error.message) : error instanceof Error ? error.message : String(error);
    return { supervisor: { enabled: false, detail: `off: swarm.yaml does not load (${why})` }, endpoints: [] };
  }
  const features = llmFeatures(config, env);
  const supervisor = config.supervisor?.llm;
  const fix = supervisor
    ? supervisor.apiKeyEnv && !features.enabled
      ? `export ${supervisor.apiKeyEnv}=… (in this shell and in the daemon's environment)`
      : undefined
    : "add `supervisor: { llm: { base_url, model, api_key_env } }` to swarm.yaml (docs/LLM.md)";
  const users: [string, LlmConfig][] = [
    ...(supervisor ? [["supervisor", supervisor] as [string, LlmConfig]] : []),
    ...config.agents.filter((agent) => agent.llm).map((agent) => [`agent ${agent.name}`, agent.llm!] as [string, LlmConfig]),
  ];
  const endpoints = await Promise.all(users.map(([user, llm]) => probe(user, llm, env)));
  return { supervisor: { enabled: features.enabled, detail: features.detail, ...(fix ? { fix } : {}) }, endpoints };
}

/** `GET <base_url>/models`: every OpenAI-compatible server we know answers it. */
async function probe(user: string, llm: LlmConfig, env: NodeJS.ProcessEnv): Promise<LlmReport["endpoints"][number]> {
  const key = apiKeyOf(llm, env);
  const where = `${llm.model} at ${llm.baseUrl}`;
  try {
    const response = await fetch(`${llm.baseUrl}/models`, {
      headers: key && key !== "not-needed" ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(PROBE_MS),
    });
    if (response.ok) return { user, ok: true, detail: `${where}: answers${key === null ? ` (but ${llm.apiKeyEnv} is not set here)` : ""}` };
    return {
      user,
      ok: false,
      detail: `${where}: HTTP ${response.status}`,
      fix:
        response.status === 401 || response.status === 403
          ? `check the key in ${llm.apiKeyEnv ?? "llm.api_key_env"}`
          : "check llm.base_url (it usually ends in /v1)",
    };
  } catch (error) {
    const why =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${PROBE_MS / 1000} s`
        : error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
    return { user, ok: false, detail: `${where}: ${why}`, fix: "start the model server, or fix llm.base_url" };
  }
}
