import { describe, expect, it } from "vitest";
import type { AgentConfig } from "../core/index.js";
import { agentEnvironment, daemonSecrets } from "./agent-env.js";

const agent = (extra: Partial<AgentConfig> = {}): AgentConfig =>
  ({
    name: "a",
    runtime: "shell",
    replicas: 1,
    cwd: "/w",
    routes: [],
    env: { OWN: "mine" },
    timeout: 60,
    mode: "headless",
    command: null,
    model: null,
    args: [],
    worktree: false,
    commit: false,
    gate: null,
    gateRetries: 0,
    ...extra,
  }) as AgentConfig;

const DAEMON = {
  PATH: "/usr/bin",
  HOME: "/root",
  TMUX: "/run/tmux.sock,1,0",
  TMUX_PANE: "%1",
  REDIS_URL: "redis://:pw@127.0.0.1:6379",
  CLAUDE_AGENT_HOME: "/var/lib/swarm",
  CLAUDE_AGENT_TUNING: "{}",
  CA_SESSION: "x-1",
  CA_HOME: "/var/lib/swarm",
  SUPERVISOR_KEY: "sk-daemon",
  CLAUDE_CODE_USE_BEDROCK: "1",
  "claude-agent": '{"pm_id":0}',
};

describe("an agent's environment", () => {
  it("is the daemon's without the swarm's own variables (nor names no shell can export, as pm2 sets), plus the agent's env", () => {
    expect(agentEnvironment(agent(), { base: DAEMON })).toEqual({
      PATH: "/usr/bin",
      HOME: "/root",
      SUPERVISOR_KEY: "sk-daemon",
      CLAUDE_CODE_USE_BEDROCK: "1",
      OWN: "mine",
    });
  });

  it("withholds the supervisor's key, unless the agent's own model reads the same variable", () => {
    const config = { supervisor: { llm: { baseUrl: "http://x/v1", model: "m", apiKeyEnv: "SUPERVISOR_KEY" }, routeTimeoutSec: 10 } };
    expect(agentEnvironment(agent(), { base: DAEMON, withheld: daemonSecrets(config, agent()) })).not.toHaveProperty("SUPERVISOR_KEY");
    const sharing = agent({ runtime: "langchain", llm: { baseUrl: "http://x/v1", model: "m", apiKeyEnv: "SUPERVISOR_KEY" } });
    expect(daemonSecrets(config, sharing)).toEqual([]);
  });

  it("lets the agent's own env set any name, a swarm-looking one included", () => {
    expect(agentEnvironment(agent({ env: { CA_FLAG: "set-by-the-user" } }), { base: DAEMON })).toMatchObject({ CA_FLAG: "set-by-the-user" });
  });
});
