import { print, printError } from "../output.js";
import { durationMs, localActor, UsageError, type SwarmConfig } from "../../core/index.js";
import {
  forget as forgetEntry,
  openMemory,
  remember,
  repoOf,
  targetOfHome,
  type MemoryEntry,
  type MemoryScope,
  type ScopeFilter,
} from "../../history/index.js";
import { homeOf, printJson, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { configIfAny, limitFlag, oneLine, safeText } from "../history-context.js";

/** `claude-agent memory add|search|list|forget`: what the swarm should remember across sessions. */

export interface ScopeOptions extends GlobalOptions {
  agent?: string;
  repo?: string;
  json?: boolean;
}

export async function add(text: string, options: ScopeOptions & { expires?: string }): Promise<void> {
  const home = homeOf(options).root;
  const config = configIfAny(home);
  const scope = scopeOf(options, config);
  const expiresInMs = options.expires === undefined ? undefined : expiry(options.expires);
  const { entry, warning } = await remember({ home, config, text, scope, expiresInMs, actor: localActor(), via: "cli" });
  if (warning) printError(`warning: ${warning}\n`);
  if (options.json) return printJson(entry);
  print(`${entry.id}\n`);
}

export async function search(text: string, options: ScopeOptions & { limit?: string }): Promise<void> {
  if (text.trim() === "") throw new UsageError("the search text is empty");
  const home = homeOf(options).root;
  const config = configIfAny(home);
  const memory = await openMemory(targetOfHome(home, config), config);
  try {
    const found = await memory.search(text, filterOf(options, config), limitFlag(options.limit, 10));
    if (found.warning) printError(`warning: ${found.warning}\n`);
    if (options.json) return printJson(found);
    if (found.entries.length === 0) return void print("nothing found\n");
    print(`${render(found.entries)}\n`);
  } finally {
    await memory.close();
  }
}

export async function list(options: ScopeOptions & { limit?: string }): Promise<void> {
  const home = homeOf(options).root;
  const config = configIfAny(home);
  const memory = await openMemory(targetOfHome(home, config), config);
  try {
    const entries = await memory.list(filterOf(options, config), limitFlag(options.limit, 100));
    if (options.json) return printJson({ entries });
    if (entries.length === 0) return void print("no memory entries\n");
    print(`${render(entries)}\n`);
  } finally {
    await memory.close();
  }
}

export async function forget(id: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const home = homeOf(options).root;
  await forgetEntry({ home, config: configIfAny(home), id, actor: localActor(), via: "cli" });
  if (options.json) return printJson({ id, forgotten: true });
  print(`forgot ${id}\n`);
}

function render(entries: readonly MemoryEntry[]): string {
  return table(
    ["ID", "SCOPE", "ADDED (UTC)", "TEXT"],
    entries.map((e) => [e.id, oneLine(e.scope, 40), e.createdAt.slice(0, 16).replace("T", " "), oneLine(safeText(e.text), 100)]),
  );
}

function scopeOf(options: ScopeOptions, config: SwarmConfig | null): MemoryScope {
  if (options.agent !== undefined && options.repo !== undefined) throw new UsageError("an entry belongs to one scope: give --agent or --repo, not both");
  if (options.agent !== undefined) {
    if (config && !config.agents.some((a) => a.name === options.agent)) {
      throw new UsageError(`--agent: unknown agent ${JSON.stringify(options.agent)}; agents are ${config.agents.map((a) => a.name).join(", ")}`);
    }
    return { kind: "agent", agent: options.agent };
  }
  if (options.repo !== undefined) return { kind: "repo", repo: repoOf(options.repo) };
  return { kind: "swarm" };
}

/** Search within what an agent would see (the swarm's, its own and its repository's entries), or a repository's; else everything. */
function filterOf(options: ScopeOptions, config: SwarmConfig | null): ScopeFilter | null {
  if (options.agent !== undefined) {
    const agent = config?.agents.find((a) => a.name === options.agent);
    return { agents: [options.agent], repos: agent ? [repoOf(agent.cwd)] : [] };
  }
  if (options.repo !== undefined) return { agents: [], repos: [repoOf(options.repo)] };
  return null;
}

function expiry(value: string): number {
  const ms = durationMs(value);
  if (ms === null) throw new UsageError(`--expires: expected a duration like 30d, 12h or 90m, got ${JSON.stringify(value)}`);
  return ms;
}
