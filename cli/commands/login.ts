/**
 * `claude-agent login AGENT`: the program's own login, run in the foreground
 * on this terminal with the agent's config folder as the program's folder
 * (CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME, QWEN_HOME), so that the
 * login lands where the agent's sessions look. An argument vector, never a
 * shell line: no value from swarm.yaml is parsed by a shell.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { agentConfigDir, EnvironmentError, loadConfig, NotFoundError, UsageError } from "../../core/index.js";
import { agentEnvironment } from "../../bridge/index.js";
import { checkAuth, loginSpec } from "../../agents/index.js";
import { locateProgram } from "../agent-programs.js";
import { homeOf, type GlobalOptions } from "../context.js";
import { print } from "../output.js";

export interface LoginOptions extends GlobalOptions {
  config?: string;
}

export async function login(agentName: string, options: LoginOptions): Promise<number> {
  const home = homeOf(options).root;
  const config = loadConfig({ explicit: options.config, cwd: process.cwd(), home });
  const agent = config.agents.find((a) => a.name === agentName);
  if (!agent) throw new NotFoundError(`unknown agent "${agentName}"`, { hint: `Agents: ${config.agents.map((a) => a.name).join(", ")}.` });
  const spec = loginSpec(agent.runtime);
  if (!spec)
    throw new UsageError(`agent ${agent.name} runs ${agent.runtime}, which has no login`, {
      hint: "Program agents (runtime: claude, codex, gemini, qwen) log in; give others their keys in `env`.",
    });
  const program = locateProgram(agent.command ?? agent.runtime, process.env, agent.cwd);
  if (!program)
    throw new EnvironmentError(`${agent.command ?? agent.runtime} not found for agent ${agent.name}`, {
      hint: "Install it (claude-agent doctor says how), or set the agent's `command`.",
    });
  if (!process.stdin.isTTY)
    throw new UsageError("login needs a terminal: the program asks you to sign in", {
      hint: `Run it in a terminal, or set ${spec.keyVars[0]} in the agent's env: in swarm.yaml.`,
    });
  const configDir = agentConfigDir(home, agent.name);
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const env = { ...agentEnvironment(agent, { base: process.env }), [spec.configVar]: configDir };
  print(`${agent.name}: ${[program, ...spec.loginArgs].join(" ")} with ${spec.configVar}=${configDir}\n`);
  const result = spawnSync(program, [...spec.loginArgs], { stdio: "inherit", env, cwd: agent.cwd });
  if (result.error) throw new EnvironmentError(`could not run ${program}: ${result.error.message}`);
  const auth = checkAuth({ runtime: agent.runtime, configDir, agentEnv: agent.env, baseEnv: process.env });
  print(auth?.ok ? `${agent.name}: ${auth.detail}\n` : `${agent.name}: still no login: ${auth?.detail ?? "unknown"}\n`);
  return auth?.ok ? 0 : 1;
}
