/**
 * A bench swarm's processes, by the part each plays, and the CPU they use: what the throughput section
 * splits a task's CPU by, and what every swarm figure of CPU adds up.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { childrenOf, cpuMs } from "./procfs.js";
import type { BenchSwarm } from "./swarm.js";

/** Processes by the part they play, each counted with the children it reaps. */
export type Parts = Record<string, number[]>;

/** This process (the SDK client) and the swarm's processes, by part. */
export function swarmParts(swarm: BenchSwarm): Parts {
  const redis = Number.parseInt(readFileSync(swarm.paths.redisPid, "utf8"), 10);
  const tmuxServer = tmuxServerPid(swarm);
  return {
    "this process (the client)": [process.pid],
    "the daemon": [swarm.daemon.pid!],
    "redis-server": [redis],
    "the tmux server": [tmuxServer],
    "the panes (their shells and what they ran)": childrenOf(tmuxServer).map((child) => child.pid),
  };
}

/** The swarm's own processes: daemon, redis-server, tmux server and the panes' programs (not this process). */
export function swarmPids(swarm: BenchSwarm): number[] {
  const { "this process (the client)": _client, ...own } = swarmParts(swarm);
  return Object.values(own).flat();
}

export function partsCpuMs(parts: Parts): Record<string, number> {
  return Object.fromEntries(Object.entries(parts).map(([name, pids]) => [name, cpuMs(pids)]));
}

/** CPU per task of each part between two readings of partsCpuMs. */
export function perTask(after: Record<string, number>, before: Record<string, number>, tasks: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, (ms - (before[name] ?? 0)) / tasks]));
}

export function tmuxServerPid(swarm: BenchSwarm): number {
  const shown = spawnSync("tmux", ["-S", swarm.paths.tmuxSocket, "display-message", "-p", "#{pid}"], { encoding: "utf8" });
  const pid = Number.parseInt(shown.stdout.trim(), 10);
  if (!Number.isInteger(pid)) throw new Error(`cannot find the tmux server's pid: ${shown.stderr}`);
  return pid;
}
