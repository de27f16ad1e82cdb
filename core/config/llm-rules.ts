/**
 * The model-related parts of swarm.yaml: an agent's `llm` (the langchain
 * runtime) and `policy`, and the top-level `supervisor` section. Cross-field
 * rules run on the raw object like the others in load.ts; normalizers turn
 * the parsed fields into frozen, resolved values.
 */
import type { RawLlm, RawPolicy, RawSupervisor } from "./schema.js";
import { DEFAULT_ROUTE_TIMEOUT_SEC, type LlmConfig, type PolicySettings, type SupervisorConfig } from "./types.js";

/**
 * Runtimes whose commands the swarm sees, so a command policy can apply: shell tasks, the langchain agent's
 * command tool, and the shell tool of Claude Code, Codex, Gemini CLI and Qwen Code (each program's own hook before a
 * tool call runs our checker, agents/policy-hook/).
 */
const POLICY_RUNTIMES = new Set(["shell", "langchain", "claude", "codex", "gemini", "qwen"]);

/** What the langchain runtime needs and what it ignores. */
export function llmProblems(agent: Record<string, unknown>, index: number): string[] {
  const problems: string[] = [];
  const runtime = agent.runtime;
  if (typeof runtime !== "string") return problems;
  if (runtime === "langchain") {
    if (agent.llm === undefined) problems.push(`agents.${index}.llm: required by the langchain runtime: { base_url, model, api_key_env }`);
    if (agent.model !== undefined) problems.push(`agents.${index}.model: not used by the langchain runtime; set llm.model`);
    for (const key of ["command", "args"] as const) {
      if (agent[key] !== undefined) problems.push(`agents.${index}.${key}: not used by the langchain runtime (the program is built in)`);
    }
  } else if (agent.llm !== undefined) {
    problems.push(`agents.${index}.llm: only used by the langchain runtime (the ${runtime} program picks its model with \`model\`/\`args\`)`);
  }
  if (agent.policy !== undefined && !POLICY_RUNTIMES.has(runtime)) {
    problems.push(
      `agents.${index}.policy: applies to shell agents, the langchain agent's command tool and the shell tool of Claude Code, Codex, Gemini CLI and Qwen Code; the ${runtime} program has no hook for it, only its own permission flags (\`args\`)`,
    );
  }
  if (agent.policy !== undefined && runtime === "qwen") problems.push(...qwenHooksOff(agent, index));
  return problems;
}

/**
 * Qwen Code (0.24) loads no hook at all, ours included, under `--bare` or `--safe-mode` or their
 * variables (its docs/features/hooks.md): with a policy, those would switch the policy off unseen.
 */
function qwenHooksOff(agent: Record<string, unknown>, index: number): string[] {
  const problems: string[] = [];
  const args = Array.isArray(agent.args) ? agent.args.filter((arg): arg is string => typeof arg === "string") : [];
  for (const flag of ["--bare", "--safe-mode"]) {
    if (args.some((arg) => arg === flag || arg.startsWith(`${flag}=`)))
      problems.push(`agents.${index}.args: ${flag} turns every Qwen Code hook off, and with it this agent's policy; remove one of them`);
  }
  const env = typeof agent.env === "object" && agent.env !== null ? Object.keys(agent.env) : [];
  for (const name of ["QWEN_CODE_SAFE_MODE", "QWEN_CODE_SIMPLE"]) {
    if (env.includes(name)) problems.push(`agents.${index}.env.${name}: turns every Qwen Code hook off, and with it this agent's policy; remove one of them`);
  }
  return problems;
}

export function normalizeLlm(raw: RawLlm): LlmConfig {
  return Object.freeze({ baseUrl: raw.base_url.trim().replace(/\/+$/, ""), model: raw.model.trim(), apiKeyEnv: raw.api_key_env ?? null });
}

export function normalizePolicy(raw: RawPolicy): PolicySettings {
  return Object.freeze({
    deny: Object.freeze([...(raw.deny ?? [])]),
    ask: Object.freeze([...(raw.ask ?? [])]),
    allow: Object.freeze([...(raw.allow ?? [])]),
  });
}

export function normalizeSupervisor(raw: RawSupervisor): SupervisorConfig {
  return Object.freeze({
    llm: raw.llm ? normalizeLlm(raw.llm) : null,
    routeTimeoutSec: raw.route_timeout ?? DEFAULT_ROUTE_TIMEOUT_SEC,
  });
}
