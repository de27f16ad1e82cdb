import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, resolve } from "node:path";
import { nodeSatisfies, programEngines, programKind } from "../../agents/index.js";
import {
  configTemplate,
  parseConfig,
  hasCommit,
  repositoryProblem,
  resolveHome,
  TEMPLATES,
  UsageError,
  type ProgramExample,
  type TemplateName,
  type TemplateOptions,
} from "../../core/index.js";
import { discoverPrograms, type ProgramReport } from "../agent-programs.js";
import { chooseRoster } from "../init-choice.js";
import { agentCommand } from "../command-line.js";
import { print } from "../output.js";

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  shell: "five shell specialists (tasks are bash command lines)",
  claude: "the five specialists on Claude Code, with roles",
  codex: "the five specialists on Codex, with roles",
  gemini: "the five specialists on Gemini CLI, with roles",
  qwen: "the five specialists on Qwen Code, with roles",
  langchain: "the five specialists on the built-in LangChain agent, with roles",
  mixed: "Claude Code, Codex, Gemini CLI and Qwen Code side by side, with roles",
  devops: "the DevOps specialists (docker, kubernetes, terraform, github, ansible) with roles, gates and a policy",
};

/**
 * Writes swarm.yaml. With `--template`, that roster; without, the agents
 * that can run here: the specialists on the first installed program that can
 * authenticate (Claude Code, Codex, Gemini CLI, Qwen Code), the LangChain
 * agent with OPENAI_BASE_URL, shell agents otherwise; it says which and why.
 */
export async function init(options: {
  file: string;
  force?: boolean;
  template?: string;
  /** `--home`: named in the next-step line when it is not the default home, so that it works when pasted. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  versionTimeoutMs?: number;
}): Promise<void> {
  const path = resolve(options.file);
  if (options.template !== undefined && !(TEMPLATES as readonly string[]).includes(options.template)) {
    throw new UsageError(`unknown template "${options.template}"`, { hint: `Templates are ${TEMPLATES.join(", ")}.` });
  }
  if (existsSync(path) && !options.force) throw new UsageError(`${path} already exists`, { hint: "Pass --force to overwrite it." });
  const env = options.env ?? process.env;
  const dir = dirname(path);
  const reports = await discoverPrograms({ env, cwd: dir, versionTimeoutMs: options.versionTimeoutMs });
  const found = reports.filter((program) => program.installed);
  const programs = found.map((program) => example(program, env));
  // A repository without a commit (just `git init`) cannot hold worktrees yet: agents without them, and a note.
  const inRepo = repositoryProblem(dir) === null;
  const committed = inRepo && hasCommit(dir);
  const base: TemplateOptions = { programs, inGitRepo: committed, testCommand: testCommandIn(dir) };
  const chosen = choose(options.template as TemplateName | undefined, reports, env);
  const text = configTemplate({ ...base, ...chosen.options });
  // Every template must load as written: checked before it is written, so a broken one never lands on disk.
  parseConfig(text, { file: path, baseDir: dir });
  writeFileSync(path, text);
  const out = [`wrote ${path}: ${chosen.description}`, ...chosen.notes.map((note) => `  ${note}`)];
  if (inRepo && !committed && chosen.options.template !== "shell")
    out.push(`  worktrees are off: the repository has no commit yet (commit once, then \`init --force\` gives each replica its own worktree)`);
  if (chosen.options.template === "shell" && found.length > 0) out.push(`  (commented examples for ${found.map((p) => p.runtime).join(", ")})`);
  const home = resolveHome(options.home);
  out.push(`next: ${agentCommand(home, "doctor")}   # what each agent needs; then: ${agentCommand(home, "up", "--config", options.file)}`);
  // Through the sanitiser: the reasons quote program paths and what their --version printed.
  print(`${out.join("\n")}\n`);
}

interface Chosen {
  readonly options: TemplateOptions;
  readonly description: string;
  readonly notes: readonly string[];
}

function choose(template: TemplateName | undefined, reports: readonly ProgramReport[], env: NodeJS.ProcessEnv): Chosen {
  if (template === undefined) {
    const pick = chooseRoster(reports, env);
    const llm =
      pick.runtime === "langchain"
        ? { baseUrl: env.OPENAI_BASE_URL!, model: env.OPENAI_MODEL || "gpt-4o-mini", apiKeyEnv: env.OPENAI_API_KEY ? "OPENAI_API_KEY" : null }
        : undefined;
    const notes = [`why: ${pick.why}`];
    if (pick.template !== "shell") notes.push("`--template shell` writes shell agents instead; `--template mixed|devops` the other rosters");
    else notes.push("install and log in to Claude Code (npm install -g @anthropic-ai/claude-code; claude /login), then run init again with --force");
    return {
      options: { template: pick.template, runtime: pick.runtime, ...(llm ? { llm } : {}) },
      description: DESCRIPTIONS[pick.runtime === "claude" ? "claude" : pick.runtime]!,
      notes,
    };
  }
  const notes: string[] = [];
  const needed: Record<TemplateName, readonly ProgramReport["runtime"][]> = {
    shell: [],
    claude: ["claude"],
    mixed: ["claude", "codex", "gemini", "qwen"],
    devops: [],
  };
  let runtime: TemplateOptions["runtime"];
  if (template === "devops") {
    const pick = chooseRoster(reports, env);
    runtime = pick.runtime === "langchain" ? "shell" : pick.runtime;
    notes.push(`the agents run on ${runtime}: ${pick.why}`);
    if (runtime !== "shell") needed.devops = [runtime];
  }
  for (const name of needed[template]) {
    const report = reports.find((r) => r.runtime === name);
    if (!report?.installed) notes.push(`${name} is not installed: ${report?.fix ?? "see claude-agent doctor"}`);
    else if (!report.ready) notes.push(`${name} cannot authenticate yet: ${report.fix ?? report.detail}`);
  }
  return { options: { template, ...(runtime ? { runtime } : {}) }, description: DESCRIPTIONS[template]!, notes };
}

/** `npm test` when the folder's package.json has a test script of its own (not npm's "no test specified" stub). */
function testCommandIn(dir: string): string | null {
  try {
    const scripts = (JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8")) as { scripts?: Record<string, unknown> }).scripts;
    const test = scripts?.test;
    return typeof test === "string" && test.trim() !== "" && !test.includes("no test specified") ? "npm test" : null;
  } catch {
    return null;
  }
}

/** The example names the program's path only when its plain name would not find it on PATH; `node:` when its package needs a newer Node. */
function example(program: ProgramReport, env: NodeJS.ProcessEnv): ProgramExample {
  const onPath = program.path !== null && basename(program.path) === program.runtime && (env.PATH ?? "").split(delimiter).includes(dirname(program.path));
  // A Node script whose package wants a newer Node than ours (Qwen Code 0.24); native builds (Claude Code 2.1.3xx) need none.
  const wanted = program.path && programKind(program.path) === "node-script" ? programEngines(program.path)?.node : undefined;
  const node = wanted && !nodeSatisfies(process.versions.node, wanted) ? "22" : null;
  return { runtime: program.runtime, command: onPath ? null : program.path, version: program.version, ready: program.ready, node };
}
