/**
 * Each program agent's authentication for `doctor` and `up`, one check per
 * agent with what to run when it fails. `up` first copies the user's own
 * login into each agent's folder (agents/login); `doctor` only looks, and
 * says when `up` would copy one in.
 */
import { agentLogin, loginSpec } from "../agents/index.js";
import { agentConfigDir, type SwarmConfig } from "../core/index.js";
import { agentCommand } from "./command-line.js";

export interface LoginCheck {
  readonly name: string;
  readonly agent: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
  /** Files of the agent's folder that `up` refreshed from the user's login. */
  readonly seeded?: string[];
}

export interface LoginCheckOptions {
  readonly home: string;
  readonly seed: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly userHome?: string;
}

export function loginChecks(config: SwarmConfig, options: LoginCheckOptions): LoginCheck[] {
  const checks: LoginCheck[] = [];
  for (const agent of config.agents) {
    const spec = loginSpec(agent.runtime);
    if (!spec) continue;
    const name = `agent ${agent.name} login`;
    let login: ReturnType<typeof agentLogin>;
    try {
      login = agentLogin({
        runtime: agent.runtime,
        configDir: agentConfigDir(options.home, agent.name),
        agentEnv: agent.env,
        seed: options.seed,
        ...(options.env ? { env: options.env } : {}),
        ...(options.userHome ? { userHome: options.userHome } : {}),
      });
    } catch (error) {
      checks.push({ name, agent: agent.name, ok: false, detail: `its login could not be copied in: ${(error as Error).message}` });
      continue;
    }
    if (!login) continue;
    const seeded = login.seeded?.written ?? [];
    if (login.auth.ok) {
      checks.push({ name, agent: agent.name, ok: true, detail: login.auth.detail, ...(seeded.length > 0 ? { seeded } : {}) });
      continue;
    }
    const command = agentCommand(options.home, "login", agent.name);
    const how = agent.runtime === "gemini" ? `${command} (choose "Sign in with Google", then quit it)` : command;
    checks.push({ name, agent: agent.name, ok: false, detail: login.auth.detail, fix: `${how}, or set ${spec.keyVars[0]} in the agent's env: in swarm.yaml` });
  }
  return checks;
}
