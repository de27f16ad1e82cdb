import type { Redis } from "ioredis";
import { NotRunningError, type AgentConfig, type Keys, type SwarmConfig } from "../core/index.js";

/**
 * What the stored config holds in place of each `env` value. Agents' env
 * values are API keys and tokens: whoever can read Redis could read them,
 * so only their names are stored. The daemon, which needs the values (its
 * bridge starts the panes with them and redacts them from results), uses the
 * config it loaded from swarm.yaml, never this copy.
 */
export const ENV_VALUE_WITHHELD = "[not stored]";

/**
 * The config as stored: every agent's env values replaced by ENV_VALUE_WITHHELD, and no `notify`
 * (a webhook's URL is often its secret; only the daemon sends notifications).
 */
export function storableConfig(config: SwarmConfig): SwarmConfig {
  const withheld = (agent: AgentConfig): AgentConfig => ({
    ...agent,
    env: withheldValues(agent.env),
    ...(agent.accounts ? { accounts: agent.accounts.map((account) => ({ ...account, env: withheldValues(account.env) })) } : {}),
  });
  const { notify: _notify, ...rest } = config;
  return { ...rest, agents: config.agents.map(withheld) };
}

function withheldValues(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((name) => [name, ENV_VALUE_WITHHELD]));
}

/**
 * The running swarm's resolved config, stored in Redis by `up`, so that every
 * client routes and validates against what is actually running.
 */
export async function saveSwarmConfig(redis: Redis, keys: Keys, config: SwarmConfig): Promise<void> {
  await redis.set(keys.config, JSON.stringify(storableConfig(config)));
}

export async function readSwarmConfig(redis: Redis, keys: Keys): Promise<SwarmConfig> {
  const raw = await redis.get(keys.config);
  if (!raw) {
    throw new NotRunningError(`the swarm's Redis is up but no swarm has been started on it (no ${keys.config})`, {
      hint: "Start it with `claude-agent up` (and check that --home or CLAUDE_AGENT_HOME names the same home as `up`).",
      context: { prefix: keys.prefix },
    });
  }
  return JSON.parse(raw) as SwarmConfig;
}
