/** The commented `swarm.yaml` that `claude-agent init` writes; it must always load cleanly (see template.test.ts). */
import { formatDuration } from "./retention.js";
import { SPECIALISTS, templateRoster, type ProgramExample, type ProgramRuntime, type Specialist, type TemplateOptions } from "./template-rosters.js";
import { DEFAULT_LIMITS, DEFAULT_RETENTION, DEFAULT_TIMEOUT_SEC } from "./types.js";

export { TEMPLATES, type ProgramExample, type ProgramRuntime, type TemplateName, type TemplateOptions } from "./template-rosters.js";

const HEADER = `# swarm.yaml: the agents of a claude-agent swarm.
# Every key is checked: a typo or a wrong value stops the command with the file,
# the field (e.g. agents.1.replicas) and what was expected.
#
# Fields of each agent:
#   name      required; lowercase letters, digits and hyphens; unique.
#   runtime   required; the program that runs the agent's tasks: "shell" (the
#             task is a bash command line), or an AI coding agent given the
#             task as its prompt: "claude", "codex", "gemini", "qwen", "aider",
#             or "langchain" (built in: a tool-calling agent over any
#             OpenAI-compatible endpoint; needs llm, see docs/LLM.md).
#   replicas  how many tmux sessions run this agent in parallel (default 1).
#   cwd       working directory of its sessions (default "."); relative paths
#             resolve against the folder of this file.
#   routes    keywords that send a task to this agent when its text mentions
#             one (default []); matched case-insensitively.
#   env       extra environment variables, e.g. { NODE_ENV: test } (default {}).
#   timeout   default time limit of a task in seconds (default ${DEFAULT_TIMEOUT_SEC}).
#   mode      "headless" (default): the program runs once per task and reports
#             through its machine-readable output. "interactive" (claude
#             only): the program's TUI stays open in the pane and each task
#             is pasted into it (docs/INTERACTIVE.md).
#   auto_approve  interactive claude only: answer permission prompts with
#             "yes, once" (default false: the task waits as needs-input).
#   command   the program to run, a path or a name on PATH (default: the
#             runtime's own name, e.g. claude).
#   model     the model to ask the program for (default: the program's own).
#   args      extra arguments for the program, e.g. [--permission-mode, acceptEdits].
#   worktree  true: each replica works in its own git worktree of the
#             repository at cwd, under $CLAUDE_AGENT_HOME/worktrees/<agent>-<n>,
#             on branch claude-agent/<agent>-<n>; results list the files a task
#             changed (default false; cwd must be inside a git repository).
#   commit    worktree agents: commit what each completed task changed, on the
#             replica's branch (default false; \`submit --commit\` per task).
#   gate      a shell command that must exit 0 in the agent's working tree
#             before a task counts as completed, e.g. "npm test" (default none).
#   gate_retries  agent programs: how often a failing gate's output is sent
#             back to the agent to fix before the task fails (default 0, at most 3).
#   record    false: the flight recorder leaves this agent's panes alone (no
#             output/<id>.cast, nothing for \`replay\`); default true.
#   llm       langchain agents: { base_url, model, api_key_env }, e.g.
#             { base_url: "http://localhost:11434/v1", model: qwen2.5-coder }.
#   policy    shell, langchain, claude and codex agents: { deny: [regex…], ask: [regex…],
#             allow: [regex…] } over commands; deny wins, then ask (the command
#             waits for your approval in \`claude-agent inbox\`), an allow list
#             admits only what matches; dangerous commands (rm -rf /, …) are
#             always refused.
#   sandbox   bwrap: each task, gate and agent program runs in bubblewrap,
#             seeing the filesystem read-only except its own folder (cwd, or
#             its worktree), with the swarm's home, swarm.yaml and the other
#             agents' folders hidden; { network: false, writable: [paths] }
#             takes the network away and makes more paths writable. none:
#             runs as your user, with your access (what \`doctor\` reports).
#             Without the key an agent runs unsandboxed.
#   role      what the agent is for, what to prefer, refuse and how to report:
#             a shipped role (backend-api, frontend-ui, database, testing,
#             deployment, docker, kubernetes, terraform, github, ansible,
#             security-reviewer), a file path, or the text (docs/ROLES.md).
#   (command, model and args are not for shell or langchain agents.) Each agent program
#   keeps its settings and conversations in its own folder,
#   $CLAUDE_AGENT_HOME/agents/<name>/config (CLAUDE_CONFIG_DIR, CODEX_HOME, …).

agents:`;

const GENERIC_EXAMPLE = `
  # An AI coding agent (uncomment to use; needs Claude Code installed and
  # ANTHROPIC_API_KEY set). Its tasks are prompts, not commands.
  # - name: reviewer
  #   runtime: claude
  #   model: sonnet
  #   args: [--permission-mode, acceptEdits]
  #   routes: [review, refactor]
  #   sandbox: bwrap`;

const footer = (defaultAgent: string): string => `
# default_agent: the agent that gets a task no route matches. Optional; it
# must name an agent above.
default_agent: ${defaultAgent}
# supervisor: optional. With a model, tasks without --agent are routed by it
# (keywords when it fails), \`result --summary\` and \`submit --plan\` work:
# supervisor:
#   llm: { base_url: "https://api.openai.com/v1", model: gpt-4o-mini, api_key_env: OPENAI_API_KEY }
#   route_timeout: 10   # seconds routing waits for the model
# retention: optional. How long finished tasks and workflow executions are
# kept (durations like 30d, 12h, 90m, 45s, or a number of seconds) and at most
# how many; the oldest finished ones go first, unfinished ones never:
# retention:
#   completed: ${formatDuration(DEFAULT_RETENTION.completedMs)}          # completed tasks and executions
#   failed: ${formatDuration(DEFAULT_RETENTION.failedMs)}            # failed, timed out, cancelled or rejected ones; at least \`completed\`
#   max_tasks: ${DEFAULT_RETENTION.maxTasks}
#   max_executions: ${DEFAULT_RETENTION.maxExecutions}   # workflow executions
# limits: optional. The largest task text accepted, in bytes (default 1 MiB):
# limits:
#   task_bytes: ${DEFAULT_LIMITS.taskBytes}
# swarm: optional. The swarm's name: its Redis keys are ca-<name>:…, so swarms
# sharing one Redis (REDIS_URL) never see each other's tasks; \`up\` refuses a
# name another running swarm uses. Default: derived from the home's folder.
# swarm: my-swarm
`;

/** Per program: an example agent's name, routes, flags and what it needs. */
const EXAMPLES: Readonly<Record<ProgramRuntime, { name: string; routes: string[]; args?: string; env?: string; node?: string; needs: string }>> = {
  claude: {
    name: "reviewer",
    routes: ["review", "refactor"],
    args: "[--permission-mode, acceptEdits]",
    needs: "ANTHROPIC_API_KEY in env (or a login in its config folder)",
  },
  codex: { name: "codex-coder", routes: ["implement", "feature"], args: "[--sandbox, workspace-write]", needs: "OPENAI_API_KEY (or CODEX_API_KEY) in env" },
  gemini: { name: "gemini-coder", routes: ["explain", "docs"], needs: "GEMINI_API_KEY in env" },
  qwen: {
    name: "qwen-coder",
    routes: ["fix", "bug"],
    args: "[--approval-mode, auto-edit]",
    env: '{ QWEN_CODE_NO_RELAUNCH: "true" }',
    node: "22                  # Qwen Code 0.24 needs Node >= 22: a Node of that line for it alone",
    needs: "an OpenAI-compatible endpoint and key (OPENAI_API_KEY, OPENAI_BASE_URL)",
  },
  aider: { name: "aider-coder", routes: ["edit", "rename"], needs: "a model key such as ANTHROPIC_API_KEY or OPENAI_API_KEY in env" },
};

function programExample(program: ProgramExample): string {
  const example = EXAMPLES[program.runtime];
  const found = program.version ? `${program.runtime} ${program.version}` : program.runtime;
  const lines = [
    ``,
    `  # ${found} was found on this machine${program.ready ? ", with a key or login" : ""}.`,
    `  # Uncomment to use it (its tasks are prompts). It needs`,
    `  # ${example.needs}.`,
    `  # - name: ${example.name}`,
    `  #   runtime: ${program.runtime}`,
  ];
  if (program.command) lines.push(`  #   command: ${JSON.stringify(program.command)}`);
  if (example.args) lines.push(`  #   args: ${example.args}`);
  if (example.env) lines.push(`  #   env: ${example.env}`);
  if (example.node) lines.push(`  #   node: ${example.node}`);
  lines.push(`  #   routes: [${example.routes.join(", ")}]`, `  #   sandbox: bwrap`);
  return lines.join("\n");
}

function agentBlock(agent: Specialist, first: boolean): string {
  const lines = [
    `  # ${agent.about}`,
    `  - name: ${agent.name}`,
    `    runtime: shell`,
    `    replicas: 1`,
    `    cwd: .`,
    `    routes: [${agent.routes.join(", ")}]`,
    `    sandbox: bwrap`,
  ];
  if (first) lines.push(`    env: {}`, `    timeout: ${DEFAULT_TIMEOUT_SEC}`);
  return lines.join("\n");
}

/**
 * The file \`init\` writes. \`shell\` (the default): the shell roster as active
 * agents, and a commented example agent for each program in \`programs\` (a
 * generic Claude Code one when none was found). The other templates: the
 * rosters of template-rosters.ts, on the agent programs they name.
 */
export function configTemplate(options: TemplateOptions = {}): string {
  const template = options.template ?? "shell";
  if (template !== "shell") {
    const roster = templateRoster(template, options);
    return [HEADER, roster.agents, footer(roster.defaultAgent)].join("\n");
  }
  const programs = options.programs ?? [];
  const examples = programs.length > 0 ? programs.map(programExample).join("\n") : GENERIC_EXAMPLE;
  return [HEADER, ...SPECIALISTS.map((agent, index) => agentBlock(agent, index === 0)), examples, footer("backend-api")].join("\n");
}
