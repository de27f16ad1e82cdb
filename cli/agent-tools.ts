/**
 * `doctor`, per agent of the swarm.yaml: is its program installed (for
 * program runtimes), and the command-line tools its shipped role works with
 * (kubectl and helm for `kubernetes`, terraform, ansible-playbook, gh, …),
 * with how to get what is missing. Informational: a missing tool fails that
 * agent's tasks or gate, not the swarm.
 */
import { findConfigFile, loadConfig, type AgentConfig, type SwarmConfig } from "../core/index.js";
import { locateProgram, PROGRAMS } from "./agent-programs.js";

interface Tool {
  readonly name: string;
  readonly install: string;
}

const GIT: Tool = { name: "git", install: "sudo apt-get install -y git" };

/** The tools each shipped role's work and gate use, and how to install them on Debian/Ubuntu. */
export const ROLE_TOOLS: Readonly<Record<string, readonly Tool[]>> = {
  docker: [{ name: "docker", install: "sudo apt-get install -y docker.io docker-compose-v2 (or Docker's packages: https://docs.docker.com/engine/install/)" }],
  kubernetes: [
    {
      name: "kubectl",
      install: "https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (the gate's dry run also needs a cluster context: kind or minikube)",
    },
    { name: "helm", install: "https://helm.sh/docs/intro/install/" },
  ],
  terraform: [{ name: "terraform", install: "https://developer.hashicorp.com/terraform/install (not packaged by Debian)" }],
  github: [GIT, { name: "gh", install: "sudo apt-get install -y gh (without it, the role hands over a branch and a patch file)" }],
  ansible: [{ name: "ansible-playbook", install: "sudo apt-get install -y ansible-core" }],
  deployment: [GIT],
};

export interface AgentToolReport {
  readonly agent: string;
  readonly ok: boolean;
  /** What was found, one entry per program or tool: `kubectl (/usr/bin/kubectl)`, `helm: not installed`. */
  readonly detail: string;
  /** How to get what is missing. */
  readonly fixes: readonly string[];
}

/** The shipped role's name (`shipped: roles/<name>.md`), or null for a file or inline role. */
function shippedRoleName(agent: AgentConfig): string | null {
  return /^shipped: roles\/([a-z0-9-]+)\.md$/.exec(agent.role?.source ?? "")?.[1] ?? null;
}

export function agentToolReports(config: SwarmConfig, env: NodeJS.ProcessEnv = process.env): AgentToolReport[] {
  return config.agents.flatMap((agent): AgentToolReport[] => {
    const found: string[] = [];
    const fixes: string[] = [];
    if (agent.runtime !== "shell" && agent.runtime !== "langchain") {
      const program = agent.command ?? agent.runtime;
      const path = locateProgram(program, { ...env, ...agent.env }, agent.cwd);
      found.push(path ? `${agent.runtime} (${path})` : `${program}: not installed`);
      if (!path)
        fixes.push(
          agent.command ? `check \`command\` of agent ${agent.name}` : (PROGRAMS.find((p) => p.runtime === agent.runtime)?.install ?? `install ${program}`),
        );
    }
    const role = shippedRoleName(agent);
    for (const tool of role ? (ROLE_TOOLS[role] ?? []) : []) {
      const path = locateProgram(tool.name, { ...env, ...agent.env }, agent.cwd);
      found.push(path ? `${tool.name} (${path})` : `${tool.name}: not installed`);
      if (!path) fixes.push(`${tool.name}: ${tool.install}`);
    }
    if (found.length === 0) return [];
    return [{ agent: agent.name, ok: fixes.length === 0, detail: `${role ? `role ${role}: ` : ""}${found.join(", ")}`, fixes }];
  });
}

/** The reports for the swarm.yaml `up` would use here; none when there is none or it does not load. */
export function swarmToolReports(options: { home: string; cwd?: string }): AgentToolReport[] {
  const cwd = options.cwd ?? process.cwd();
  try {
    const file = findConfigFile({ cwd, home: options.home });
    return file === null ? [] : agentToolReports(loadConfig({ cwd, home: options.home, explicit: file }));
  } catch {
    return [];
  }
}
