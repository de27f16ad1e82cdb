import { statSync } from "node:fs";
import { basename } from "node:path";
import type { SwarmConfig } from "./types.js";

/**
 * Agents whose `cwd` is not an existing folder, as config problems. Checked
 * by `up` only (a client reading the config may run where the folders are
 * not): tmux starts a session in a missing folder in the user's home instead,
 * so without this check the agent would run its tasks somewhere else.
 */
export function missingCwdProblems(config: Pick<SwarmConfig, "agents" | "source">): string[] {
  const file = basename(config.source);
  return config.agents.flatMap((agent, index) =>
    isDirectory(agent.cwd) ? [] : [`${file}: agents.${index}.cwd: ${agent.cwd} is not a folder (agent ${agent.name})`],
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
