/**
 * The environment of a program the notifier runs (a command target,
 * notify-send): the daemon's minus what leads to the swarm's control surfaces
 * (tmux, Redis, the home, our own `CA_*` names) and the daemon's own secrets
 * (the supervisor's and the embeddings' keys, the history database), as for
 * an agent's panes. A program that needs one of those names it in its own
 * wrapper.
 */
import { isExportableName, isSwarmVariable, type SwarmConfig } from "../../core/index.js";

export function programEnv(base: Readonly<Record<string, string | undefined>>, config: Pick<SwarmConfig, "supervisor" | "llm"> = {}): Record<string, string> {
  const withheld = new Set([config.supervisor?.llm?.apiKeyEnv, config.llm?.embeddings?.apiKeyEnv].filter((name): name is string => typeof name === "string"));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || !isExportableName(name) || isSwarmVariable(name) || name === "DATABASE_URL" || withheld.has(name)) continue;
    env[name] = value;
  }
  return env;
}
