/** The commented `swarm.yaml` that `claude-agent init` writes; it must always load cleanly (see template.test.ts). */
import { DEFAULT_TIMEOUT_SEC } from "./types.js";

interface Specialist {
  readonly name: string;
  readonly routes: readonly string[];
  readonly about: string;
}

const SPECIALISTS: readonly Specialist[] = [
  { name: "backend-api", routes: ["api", "endpoint", "server", "backend", "auth"], about: "HTTP APIs, services and auth" },
  { name: "frontend-ui", routes: ["ui", "frontend", "css", "component", "page"], about: "pages, components and styling" },
  { name: "database", routes: ["database", "schema", "migration", "sql", "db"], about: "schemas, migrations and queries" },
  { name: "testing", routes: ["test", "tests", "e2e", "coverage"], about: "unit, integration and end-to-end tests" },
  { name: "deployment", routes: ["deploy", "release", "docker", "ci"], about: "builds, releases and CI" },
];

const HEADER = `# swarm.yaml: the agents of a claude-agent swarm.
# Every key is checked: a typo or a wrong value stops the command with the file,
# the field (e.g. agents.1.replicas) and what was expected.
#
# Fields of each agent:
#   name      required; lowercase letters, digits and hyphens; unique.
#   runtime   required; the program that runs the agent's tasks. Only "shell" for now.
#   replicas  how many tmux sessions run this agent in parallel (default 1).
#   cwd       working directory of its sessions (default "."); relative paths
#             resolve against the folder of this file.
#   routes    keywords that send a task to this agent when its text mentions
#             one (default []); matched case-insensitively.
#   env       extra environment variables, e.g. { NODE_ENV: test } (default {}).
#   timeout   default time limit of a task in seconds (default ${DEFAULT_TIMEOUT_SEC}).

agents:`;

const FOOTER = `
# default_agent: the agent that gets a task no route matches. Optional; it
# must name an agent above.
default_agent: backend-api
`;

function agentBlock(agent: Specialist, first: boolean): string {
  const lines = [
    `  # ${agent.about}`,
    `  - name: ${agent.name}`,
    `    runtime: shell`,
    `    replicas: 1`,
    `    cwd: .`,
    `    routes: [${agent.routes.join(", ")}]`,
  ];
  if (first) lines.push(`    env: {}`, `    timeout: ${DEFAULT_TIMEOUT_SEC}`);
  return lines.join("\n");
}

export function configTemplate(): string {
  return [HEADER, ...SPECIALISTS.map((agent, index) => agentBlock(agent, index === 0)), FOOTER].join("\n");
}
