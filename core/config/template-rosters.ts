/**
 * The rosters of `claude-agent init --template NAME` besides `shell`:
 * `claude` (the five specialists on Claude Code), `mixed` (Claude Code,
 * Codex, Gemini CLI and Qwen Code side by side) and `devops` (the DevOps
 * specialists with a policy and a gate each). Every agent has a shipped role
 * and `sandbox: bwrap`; worktrees (and git gates) only when swarm.yaml's
 * folder is in a git repository, since `worktree: true` needs one to load.
 */
import type { BuiltInRuntime } from "./types.js";
import { DEVOPS, DEVOPS_POLICY, yamlString, type DevopsSpecialist } from "./template-devops.js";

export const TEMPLATES = ["shell", "claude", "mixed", "devops"] as const;
export type TemplateName = (typeof TEMPLATES)[number];
export type ProgramRuntime = Exclude<BuiltInRuntime, "shell" | "langchain">;

/** An agent program found on this machine (see `claude-agent doctor`). */
export interface ProgramExample {
  readonly runtime: ProgramRuntime;
  /** Where it was found, when that is not simply its name on PATH (e.g. a node_modules/.bin). */
  readonly command?: string | null;
  readonly version?: string | null;
  /** Whether an API key or a login was found for it. */
  readonly ready?: boolean;
  /** The `node:` it needs (a Node major) when this machine's Node is older than its package declares. */
  readonly node?: string | null;
}

export interface TemplateOptions {
  readonly template?: TemplateName;
  /** Programs found on this machine: their paths, when off PATH, become `command:`. */
  readonly programs?: readonly ProgramExample[];
  /** swarm.yaml's folder is inside a git repository: agents get worktrees, and git checks as gates. */
  readonly inGitRepo?: boolean;
  /** The project's test command, found by init (e.g. `npm test`): the claude roster's gate. */
  readonly testCommand?: string | null;
  /** The program the `claude` and `devops` specialists run on (default claude; devops also takes shell). */
  readonly runtime?: ProgramRuntime | "langchain" | "shell";
  /** The endpoint of langchain agents (`llm:` in swarm.yaml). */
  readonly llm?: { readonly baseUrl: string; readonly model: string; readonly apiKeyEnv: string | null };
}

export interface Specialist {
  readonly name: string;
  readonly routes: readonly string[];
  readonly about: string;
}

export const SPECIALISTS: readonly Specialist[] = [
  { name: "backend-api", routes: ["api", "endpoint", "server", "backend", "auth"], about: "HTTP APIs, services and auth" },
  { name: "frontend-ui", routes: ["ui", "frontend", "css", "component", "page"], about: "pages, components and styling" },
  { name: "database", routes: ["database", "schema", "migration", "sql", "db"], about: "schemas, migrations and queries" },
  { name: "testing", routes: ["test", "tests", "e2e", "coverage"], about: "unit, integration and end-to-end tests" },
  { name: "deployment", routes: ["deploy", "release", "docker", "ci"], about: "builds, releases and CI" },
];

/**
 * Per program: flags that let it work in its folder headless, inside our
 * sandbox. Codex's own sandbox cannot start inside ours (no capabilities
 * left to make namespaces), so ours is its boundary (docs/RUNTIMES.md).
 */
const PROGRAM: Readonly<Record<ProgramRuntime, { args: string; env?: string; needs: string }>> = {
  claude: { args: "[--permission-mode, acceptEdits]", needs: "a login (claude-agent login NAME) or ANTHROPIC_API_KEY in env" },
  codex: {
    args: "[--sandbox, danger-full-access]   # our bwrap sandbox is its boundary",
    needs: "a login (codex login) or OPENAI_API_KEY / CODEX_API_KEY in env",
  },
  gemini: { args: "[--approval-mode, auto_edit, --skip-trust]", env: `{ GEMINI_CLI_NO_RELAUNCH: "true" }`, needs: "a Google login or GEMINI_API_KEY in env" },
  qwen: {
    args: "[--approval-mode, auto-edit]",
    env: `{ QWEN_CODE_NO_RELAUNCH: "true" }`,
    needs: "a login (qwen auth) or OPENAI_API_KEY and OPENAI_BASE_URL in env",
  },
  aider: { args: "[]", needs: "a model key such as ANTHROPIC_API_KEY or OPENAI_API_KEY in env" },
};

/** Runtimes whose commands the swarm's policy binds (config rule: llm-rules.ts); Claude Code, Codex, Gemini CLI and Qwen Code through their own hooks. */
const POLICED: ReadonlySet<string> = new Set(["shell", "langchain", "claude", "codex", "gemini", "qwen"]);

interface AgentSpec {
  readonly name: string;
  readonly about: string;
  readonly runtime: ProgramRuntime | "langchain" | "shell";
  readonly role: string;
  readonly routes: readonly string[];
  readonly gate: string | null;
  readonly policy?: boolean;
}

export function templateRoster(template: Exclude<TemplateName, "shell">, options: TemplateOptions): { agents: string; defaultAgent: string } {
  const git = options.inGitRepo === true;
  const gitGate = git ? "git diff --check" : null;
  if (template === "claude") {
    const gate = options.testCommand ?? gitGate;
    const runtime = options.runtime === undefined || options.runtime === "shell" ? "claude" : options.runtime;
    const specs = SPECIALISTS.map((s): AgentSpec => ({ ...s, runtime, role: s.name, gate }));
    return { agents: specs.map((spec) => agentBlock(spec, options)).join("\n"), defaultAgent: "backend-api" };
  }
  if (template === "mixed") {
    const gate = options.testCommand ?? gitGate;
    const specs: AgentSpec[] = [
      { name: "claude-coder", runtime: "claude", role: "backend-api", routes: SPECIALISTS[0]!.routes, about: "Claude Code: APIs and services", gate },
      { name: "codex-coder", runtime: "codex", role: "frontend-ui", routes: SPECIALISTS[1]!.routes, about: "Codex: pages and components", gate },
      { name: "gemini-coder", runtime: "gemini", role: "testing", routes: SPECIALISTS[3]!.routes, about: "Gemini CLI: tests", gate },
      { name: "qwen-coder", runtime: "qwen", role: "database", routes: SPECIALISTS[2]!.routes, about: "Qwen Code: schemas and queries", gate },
    ];
    return { agents: specs.map((spec) => agentBlock(spec, options)).join("\n"), defaultAgent: "claude-coder" };
  }
  const runtime = options.runtime ?? "claude";
  const specs = DEVOPS.map((s: DevopsSpecialist): AgentSpec => ({ ...s, runtime, role: s.name, gate: s.gate ?? gitGate, policy: true }));
  return { agents: specs.map((spec) => agentBlock(spec, options)).join("\n"), defaultAgent: "github" };
}

function agentBlock(spec: AgentSpec, options: TemplateOptions): string {
  const lines = [``, `  # ${spec.about}`, `  - name: ${spec.name}`, `    runtime: ${spec.runtime}`];
  if (spec.runtime !== "shell" && spec.runtime !== "langchain") {
    const found = options.programs?.find((p) => p.runtime === spec.runtime);
    if (found?.command) lines.push(`    command: ${JSON.stringify(found.command)}`);
    if (found?.node) lines.push(`${`    node: ${found.node}`.padEnd(30)}# its package needs a newer Node than this machine's`);
  }
  lines.push(`${`    role: ${spec.role}`.padEnd(30)}# roles/${spec.role}.md (docs/ROLES.md)`, `    cwd: .`);
  if (options.inGitRepo) lines.push(`    worktree: true            # each replica in its own git worktree and branch`);
  else lines.push(`    # worktree: true          # once this folder is a git repository: a worktree per replica`);
  if (spec.gate !== null) {
    lines.push(`    gate: ${yamlString(spec.gate)}`);
    if (spec.runtime !== "shell") lines.push(`    gate_retries: 1`);
  } else lines.push(`    # gate: npm test          # a check that must pass before a task counts as completed`);
  if (spec.runtime === "langchain") {
    const llm = options.llm ?? { baseUrl: "http://localhost:11434/v1", model: "qwen2.5-coder", apiKeyEnv: null };
    const key = llm.apiKeyEnv ? `, api_key_env: ${llm.apiKeyEnv}` : "";
    lines.push(`    llm: { base_url: ${JSON.stringify(llm.baseUrl)}, model: ${JSON.stringify(llm.model)}${key} }`, `    timeout: 1800`);
  } else if (spec.runtime !== "shell") {
    const program = PROGRAM[spec.runtime];
    lines.push(`    # needs ${program.needs}`, `    args: ${program.args}`);
    if (program.env) lines.push(`    env: ${program.env}`);
    lines.push(`    timeout: 1800`);
  }
  lines.push(`    routes: [${spec.routes.join(", ")}]`);
  if (spec.policy && POLICED.has(spec.runtime)) lines.push(...DEVOPS_POLICY.map((line) => `    ${line}`));
  else if (spec.policy) {
    lines.push(
      `    # The ${spec.runtime} program has no hook that runs our command policy; the policy below binds`,
      `    # shell, langchain, claude and codex agents (docs/ROLES.md). Its role tells it what to refuse.`,
    );
    lines.push(...DEVOPS_POLICY.map((line) => `    # ${line}`));
  }
  lines.push(`    sandbox: bwrap`);
  return lines.join("\n");
}
