import { Worktrees, type Removal, type WorktreeInfo } from "../../bridge/index.js";
import { NotFoundError, NotRunningError, type SwarmConfig } from "../../core/index.js";
import type { SwarmStatus } from "../../client/index.js";
import { homeOf, printJson, withSwarm, type GlobalOptions } from "../context.js";
import { table } from "../format.js";
import { print } from "../output.js";

interface Entry extends WorktreeInfo {
  /** Its agent is in the running swarm's config, with `worktree: true` and this replica. */
  readonly configured: boolean;
  /** Its session is up in a running swarm. */
  readonly running: boolean;
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const entries = await entriesOf(options);
  if (options.json) return printJson(entries);
  if (entries.length === 0) return void print(`no worktrees in ${homeOf(options).root}/worktrees\n`);
  const rows = entries.map((e) => [
    e.session,
    e.valid ? (e.branch ?? "(detached)") : "(not a worktree)",
    e.dirty > 0 ? `${e.dirty} uncommitted` : "clean",
    e.running ? "running" : e.configured ? "configured, not running" : "not configured",
    e.path,
  ]);
  print(`${table(["SESSION", "BRANCH", "CHANGES", "AGENT", "PATH"], rows)}\n`);
}

/**
 * Removes the worktrees of agents that are no longer configured or not
 * running. Work is never lost: uncommitted changes go to a WIP ref first, and
 * the branch (with its commits) stays.
 */
export async function clean(options: GlobalOptions & { agent?: string; json?: boolean }): Promise<void> {
  const entries = (await entriesOf(options)).filter((e) => !options.agent || e.agent === options.agent);
  if (options.agent && entries.length === 0) throw new NotFoundError(`no worktrees of agent "${options.agent}"`);
  const worktrees = new Worktrees(homeOf(options).root);
  const removed: Removal[] = [];
  const kept: { session: string; path: string; reason: string }[] = [];
  for (const entry of entries) {
    if (entry.running) {
      kept.push({ session: entry.session, path: entry.path, reason: "its agent is running" });
      continue;
    }
    const result = await worktrees.remove(entry.session);
    if (result.removed) removed.push(result);
    else kept.push({ session: entry.session, path: entry.path, reason: result.reason ?? "not removed" });
  }
  if (options.json) return printJson({ removed, kept });
  for (const r of removed) {
    const wip = r.wipRef ? `; uncommitted work saved to ${r.wipRef} (${r.wipCommit?.slice(0, 10)})` : "";
    print(`removed ${r.path}${r.branch ? ` (branch ${r.branch} kept)` : ""}${wip}\n`);
  }
  for (const k of kept) print(`kept    ${k.path}: ${k.reason}\n`);
  if (removed.length === 0 && kept.length === 0) print("no worktrees\n");
}

/** The worktrees with what the running swarm (if any) says about their agents. */
async function entriesOf(options: GlobalOptions): Promise<Entry[]> {
  const infos = await new Worktrees(homeOf(options).root).list();
  const swarm = await swarmState(options);
  return infos.map((info) => {
    const agent = swarm?.config.agents.find((a) => a.name === info.agent && a.worktree);
    const replica = Number(info.session.slice(info.agent.length + 1));
    const configured = agent !== undefined && replica >= 1 && replica <= agent.replicas;
    const session = swarm?.status.sessions.find((s) => s.name === info.session);
    const running = configured && swarm!.status.daemon.alive && session !== undefined && session.state !== "down";
    return { ...info, configured, running };
  });
}

/** The running swarm's config and status, or null when no swarm runs in this home. */
async function swarmState(options: GlobalOptions): Promise<{ config: SwarmConfig; status: SwarmStatus } | null> {
  try {
    return await withSwarm(options, async (swarm) => ({ config: swarm.config, status: await swarm.status() }));
  } catch (error) {
    if (error instanceof NotRunningError) return null;
    throw error;
  }
}
