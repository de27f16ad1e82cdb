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
#   runtime   required; the program that runs the agent's tasks: "shell" (the
#             task is a bash command line), or an AI coding agent given the
#             task as its prompt: "claude", "codex", "gemini", "qwen", "aider".
#   replicas  how many tmux sessions run this agent in parallel (default 1).
#   cwd       working directory of its sessions (default "."); relative paths
#             resolve against the folder of this file.
#   routes    keywords that send a task to this agent when its text mentions
#             one (default []); matched case-insensitively.
#   env       extra environment variables, e.g. { NODE_ENV: test } (default {}).
#   timeout   default time limit of a task in seconds (default ${DEFAULT_TIMEOUT_SEC}).
#   mode      "headless" (default): the program runs once per task and reports
#             through its machine-readable output. "interactive" is not
#             implemented yet.
#   command   the program to run, a path or a name on PATH (default: the
#             runtime's own name, e.g. claude).
#   model     the model to ask the program for (default: the program's own).
#   args      extra arguments for the program, e.g. [--permission-mode, acceptEdits].
#   (command, model and args are not for shell agents.) Each agent program
#   keeps its settings and conversations in its own folder,
#   $CLAUDE_AGENT_HOME/agents/<name>/config (CLAUDE_CONFIG_DIR, CODEX_HOME, …).

agents:`;

const FOOTER = `
  # An AI coding agent (uncomment to use; needs Claude Code installed and
  # ANTHROPIC_API_KEY set). Its tasks are prompts, not commands.
  # - name: reviewer
  #   runtime: claude
  #   model: sonnet
  #   args: [--permission-mode, acceptEdits]
  #   routes: [review, refactor]
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
