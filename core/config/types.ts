/** The resolved, validated swarm configuration every module downstream of the CLI receives. */

export type Runtime = "shell";
export const RUNTIMES: readonly Runtime[] = ["shell"];

export interface AgentConfig {
  readonly name: string;
  readonly runtime: Runtime;
  readonly replicas: number;
  /** Absolute working directory of the agent's sessions. */
  readonly cwd: string;
  readonly routes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Default job time limit in seconds. */
  readonly timeout: number;
}

export interface SwarmConfig {
  /** Absolute path of the file it was read from, or "<default>" / "<inline>". */
  readonly source: string;
  readonly agents: readonly AgentConfig[];
  readonly defaultAgent: string | null;
}

export const DEFAULT_TIMEOUT_SEC = 600;
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
