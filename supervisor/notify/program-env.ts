/**
 * The environment of a program the notifier runs (a command target,
 * notify-send): the daemon's minus what leads to the swarm's control surfaces
 * (tmux, Redis, the home, our own `CA_*` names) and the daemon's own secrets
 * (the supervisor's and the embeddings' keys, the history database), as for
 * an agent's panes. A program that needs one of those names it in its own
 * wrapper.
 */
import type { SwarmConfig } from "../../core/index.js";

const SWARM_VARIABLE = /^(?:TMUX|TMUX_PANE|REDIS_URL|REDISCLI_AUTH|DATABASE_URL|CLAUDE_AGENT_[A-Za-z0-9_]*|CA_[A-Za-z0-9_]*)$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function programEnv(base: Readonly<Record<string, string | undefined>>, config: Pick<SwarmConfig, "supervisor" | "llm"> = {}): Record<string, string> {
  const withheld = new Set([config.supervisor?.llm?.apiKeyEnv, config.llm?.embeddings?.apiKeyEnv].filter((name): name is string => typeof name === "string"));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || !VARIABLE_NAME.test(name) || SWARM_VARIABLE.test(name) || withheld.has(name)) continue;
    env[name] = value;
  }
  return env;
}
