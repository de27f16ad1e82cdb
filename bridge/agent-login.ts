/**
 * Before an agent's session starts, its config folder gets the user's own
 * login again if that changed since the last copy (agents/login), and its
 * authentication is checked offline: an interactive program without one
 * would sit at its input box answering every prompt "Not logged in", so its
 * session shows `needs-login` instead of `idle`.
 */
import { homedir } from "node:os";
import { agentLogin, checkAuth, type AuthStatus, type ProgramLaunch } from "../agents/index.js";
import { agentConfigDir, type AgentConfig } from "../core/index.js";
import type { BridgeLog } from "./log-events.js";

export function refreshAgentLogin(agent: AgentConfig, home: string, log: BridgeLog, env: NodeJS.ProcessEnv = process.env): AuthStatus | null {
  try {
    const login = agentLogin({
      runtime: agent.runtime,
      configDir: agentConfigDir(home, agent.name),
      agentEnv: agent.env,
      env,
      userHome: homedir(),
      seed: true,
    });
    if (login?.seeded && login.seeded.written.length > 0)
      log("agent.login-seeded", { agent: agent.name, files: login.seeded.written, from: login.seeded.from });
    return login?.auth ?? null;
  } catch (error) {
    log("agent.login-seed-failed", { agent: agent.name, error });
    return null;
  }
}

/**
 * The login of an interactive program as it was started: in the folder and variables it runs with, which for
 * an agent with `accounts:` are its account's (a login folder of its own, or a key), not the agent's own folder.
 */
export function programLogin(
  agent: AgentConfig,
  launch: Pick<ProgramLaunch, "configDir" | "env">,
  log: BridgeLog,
  env: NodeJS.ProcessEnv = process.env,
): AuthStatus | null {
  try {
    return checkAuth({ runtime: agent.runtime, configDir: launch.configDir, agentEnv: { ...agent.env, ...launch.env }, baseEnv: env });
  } catch (error) {
    log("agent.login-check-failed", { agent: agent.name, error });
    return null;
  }
}
