/**
 * The sandboxes of a swarm's agents (`sandbox: bwrap` in swarm.yaml): the
 * bubblewrap command line (sandbox-plan.ts) for one task typed into a pane,
 * one gate, or the program an interactive pane runs. Paths are resolved
 * here, once, against the real filesystem (bwrap binds real paths).
 */
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { execa } from "execa";
import { accountConfigDir, agentConfigDir, ConfigError, EnvironmentError, isSandboxed, type AgentConfig, type SwarmConfig } from "../core/index.js";
import { answersDir, askChannelDir, renderScriptPath, requestsDir } from "../agents/index.js";
import { bwrapArgs, bwrapProbeArgs, within, type SandboxPlan } from "./sandbox-plan.js";
import { gitDirOf, repositoryOfGitDir } from "./worktree-files.js";
import type { Worktrees } from "./worktrees.js";

export interface SandboxOptions {
  readonly config: Pick<SwarmConfig, "agents" | "source">;
  readonly home: string;
  readonly worktrees: Worktrees;
}

/** A file bound into one run's sandbox at its own path (a dispatch's prompt, its events file …). */
export interface ExposedPath {
  readonly path: string;
  readonly writable: boolean;
}

/** The home's own folders (core/home.ts, and the per-agent and worktree folders). */
const SWARM_FOLDERS = ["run", "redis", "jobs", "output", "logs", "shell", "agents", "worktrees", "asks"];

export class Sandboxes {
  private readonly home: string;

  constructor(private readonly options: SandboxOptions) {
    this.home = real(options.home);
  }

  /** The argv prefix of a task typed into a shell pane (`bwrap … --`), or null when the agent is not sandboxed. */
  forTask(agent: AgentConfig, session: string, files: readonly ExposedPath[]): string[] | null {
    return this.argv(agent, session, files, true);
  }

  /** The argv prefix of a gate, run by the bridge in the agent's working tree. */
  forGate(agent: AgentConfig, session: string): string[] | null {
    return this.argv(agent, session, [], false);
  }

  /** The argv prefix of a program that is the pane's own (an interactive program): its terminal is its own. */
  forProgram(agent: AgentConfig, session: string, files: readonly ExposedPath[]): string[] | null {
    return this.argv(agent, session, files, false);
  }

  /**
   * What makes a sandboxed agent impossible to run: bwrap missing or not
   * working here, or a folder that would put the home within its reach.
   */
  async check(): Promise<void> {
    const sandboxed = this.options.config.agents.filter(isSandboxed);
    if (sandboxed.length === 0) return;
    const problems: string[] = [];
    sandboxed.forEach((agent) => {
      const index = this.options.config.agents.indexOf(agent);
      const cwd = real(agent.cwd);
      if (!agent.worktree && this.exposesHome(cwd))
        problems.push(
          `agents.${index}.cwd: ${cwd} would put the swarm's own files (its sockets, job files, other agents' folders) in a sandboxed agent's reach`,
        );
      for (const path of agent.sandbox?.kind === "bwrap" ? agent.sandbox.writable : []) {
        if (this.exposesHome(real(path))) problems.push(`agents.${index}.sandbox.writable: ${path} would put the swarm's own files in the agent's reach`);
      }
    });
    const label = basename(this.options.config.source);
    if (problems.length > 0)
      throw new ConfigError(
        problems.map((problem) => `${label}: ${problem}`),
        { hint: "Move the agent's folder out of the home, or run it with `sandbox: none`.", context: { file: this.options.config.source } },
      );
    // The agents' own folders (worktrees) may not exist yet: their binds are tried at the first dispatch.
    const probe = await execa("bwrap", bwrapProbeArgs(process.getuid?.() === 0), { reject: false, stdin: "ignore" }).catch((error: Error) => ({
      failed: true,
      stderr: error.message,
      exitCode: undefined,
    }));
    if (probe.failed) {
      const why = String(probe.stderr ?? "").trim() || `exit code ${String(probe.exitCode)}`;
      throw new EnvironmentError(
        `the sandbox of agent "${sandboxed[0]!.name}" cannot start: bwrap ${/ENOENT/.test(why) ? "is not installed" : `failed: ${why}`}`,
        {
          hint: "Install bubblewrap (sudo apt-get install -y bubblewrap, or npm run setup), or set `sandbox: none` on the agents that should run unsandboxed.",
        },
      );
    }
  }

  /**
   * A folder bound into a sandbox after the home is hidden shows what is in
   * it: the home itself, or one of the swarm's own folders in it. A project
   * folder kept inside the home is fine.
   */
  private exposesHome(path: string): boolean {
    return path === this.home || SWARM_FOLDERS.some((folder) => within(path, join(this.home, folder)));
  }

  private argv(agent: AgentConfig, session: string, files: readonly ExposedPath[], newSession: boolean): string[] | null {
    if (!isSandboxed(agent)) return null;
    return bwrapArgs(this.plan(agent, session, files, newSession));
  }

  private plan(agent: AgentConfig, session: string, files: readonly ExposedPath[], newSession: boolean): SandboxPlan {
    const settings = agent.sandbox?.kind === "bwrap" ? agent.sandbox : { network: true, writable: [] };
    const { worktrees, config } = this.options;
    const cwd = real(worktrees.cwdFor(agent, session));
    const tree = agent.worktree ? real(worktrees.pathOf(session)) : cwd;
    const writable = [tree, ...settings.writable.map(real)];
    const exposed: ExposedPath[] = [...files];
    if (agent.runtime !== "shell") {
      // The program's own settings and conversations.
      const configDir = agentConfigDir(this.home, agent.name);
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      exposed.push({ path: configDir, writable: true });
      // Its accounts' folders (`accounts:` with config_dir): the run picks one of them.
      for (const account of agent.accounts ?? []) {
        if (account.configDir === null) continue;
        const dir = accountConfigDir(this.home, agent.name, account.name);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        exposed.push({ path: dir, writable: true });
      }
    }
    if ((agent.runtime === "claude" || agent.runtime === "codex") && (agent.policy?.ask ?? []).length > 0) {
      // The ask channel (agents/claude/ask-channel.ts) of Claude Code's and Codex's hook: it may write requests, never answers.
      const channel = askChannelDir(this.home, session);
      for (const dir of [requestsDir(channel), answersDir(channel)]) mkdirSync(dir, { recursive: true, mode: 0o700 });
      exposed.push({ path: requestsDir(channel), writable: true }, { path: answersDir(channel), writable: false });
    }
    for (const file of exposed) if (!existsSync(file.path)) writeFileSync(file.path, "", { mode: 0o600 });
    const needed = [process.execPath, packageRoot(), ...(agent.command && isAbsolute(agent.command) ? [real(agent.command)] : [])];
    const gitDir = agent.worktree ? gitDirOf(tree) : null;
    const repository = gitDir ? repositoryOfGitDir(gitDir) : null;
    if (repository) needed.push(join(repository, ".git"));
    const others = config.agents
      .filter((other) => other.name !== agent.name)
      .flatMap((other) => [other.cwd, ...(other.sandbox?.kind === "bwrap" ? other.sandbox.writable : [])])
      .map(real);
    return {
      network: settings.network,
      cwd,
      writable,
      home: this.home,
      configFile: isAbsolute(config.source) && isFile(config.source) ? real(config.source) : null,
      others,
      needed,
      exposed,
      readOnly: writable.flatMap(gitGuards),
      newSession,
      dropCapabilities: process.getuid?.() === 0,
    };
  }
}

/**
 * Git metadata in a writable tree that names code git runs (hooks, and the
 * config's fsmonitor, pager, filters …) or, in a linked worktree, the `.git`
 * file that says where its repository is. Read-only in the sandbox: the
 * person's own git, and the bridge's in worktrees, run outside it.
 */
export function gitGuards(tree: string): string[] {
  const dotGit = join(tree, ".git");
  if (isFile(dotGit)) return [dotGit];
  return ["hooks", "config"].map((name) => join(dotGit, name)).filter((path) => existsSync(path));
}

/** Our own install (dist/ and node_modules/, which the renderer and our built-in agent program load). */
function packageRoot(): string {
  return dirname(dirname(dirname(renderScriptPath())));
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
