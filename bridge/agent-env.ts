/**
 * The environment an agent's panes, tasks and gates get: the environment the
 * swarm was started with, minus the swarm's own variables, plus the agent's
 * `env`. The swarm's variables lead to its control surfaces (`TMUX` to the
 * tmux server and so to every other agent's pane, `REDIS_URL` to the queues
 * and results, `CLAUDE_AGENT_HOME` to the job files), so no task may inherit
 * them; nor the key of the supervisor's model, which is the daemon's.
 */
import { isExportableName, isSwarmVariable, type AgentConfig, type SwarmConfig } from "../core/index.js";

/**
 * Variables of the daemon that only the daemon may use: the supervisor's API
 * key (unless the agent's own model reads the same variable). An agent that
 * needs one names it in its own `env`.
 */
export function daemonSecrets(config: Pick<SwarmConfig, "supervisor">, agent: AgentConfig): string[] {
  const key = config.supervisor?.llm?.apiKeyEnv;
  return key && agent.llm?.apiKeyEnv !== key ? [key] : [];
}

export function agentEnvironment(
  agent: AgentConfig,
  options: { readonly base: NodeJS.ProcessEnv; readonly withheld?: readonly string[] },
): Record<string, string> {
  const withheld = new Set(options.withheld ?? []);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.base)) {
    if (value === undefined || !isExportableName(name) || isSwarmVariable(name) || withheld.has(name)) continue;
    env[name] = value;
  }
  return { ...env, ...agent.env };
}
