/**
 * Names in an environment that lead to the swarm's control surfaces: tmux's
 * pointers to its server and pane (and so to every agent's pane), Redis (the
 * queues and results), our home, tuning and every `CA_*` name. No program the
 * swarm starts for someone else (an agent's pane, a task, a notification
 * command) inherits them.
 */
const SWARM_VARIABLE = /^(?:TMUX|TMUX_PANE|REDIS_URL|REDISCLI_AUTH|CLAUDE_AGENT_[A-Za-z0-9_]*|CA_[A-Za-z0-9_]*)$/;

/** What a shell can export; pm2, for one, puts entries named after its apps (`claude-agent={…}`) in the environment. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isSwarmVariable(name: string): boolean {
  return SWARM_VARIABLE.test(name);
}

export function isExportableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}
