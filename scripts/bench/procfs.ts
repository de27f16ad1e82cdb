/** Reading CPU time and memory of processes from /proc (Linux only). */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticks: number | null = null;

/** Clock ticks per second (utime/stime unit), from `getconf CLK_TCK`; 100 on every common Linux. */
export function clockTicks(): number {
  if (ticks === null) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const value = Number.parseInt(out.stdout ?? "", 10);
    ticks = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return ticks;
}

interface Stat {
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpu: number;
  /** cpu plus cutime + cstime: with the children it has waited for (a shell's commands, a worker's spawns). */
  readonly cpuWithChildren: number;
}

export function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  // Fields after "(comm)": state(3) ppid(4) … utime(14) stime(15); rest[0] is field 3.
  const rest = text.slice(close + 2).split(" ");
  const cpu = Number(rest[11]) + Number(rest[12]);
  return { comm, ppid: Number(rest[1]), cpu, cpuWithChildren: cpu + Number(rest[13]) + Number(rest[14]) };
}

/** Resident set size in KB (VmRSS), or NaN when the process is gone. */
export function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The direct children of a process. */
export function childrenOf(pid: number): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === pid) found.push({ pid: Number(entry), comm: stat.comm });
  }
  return found;
}

/** CPU time in ms used so far by these processes and the children they have reaped (gone processes count 0). */
export function cpuMs(pids: readonly number[]): number {
  return (pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuWithChildren ?? 0), 0) * 1000) / clockTicks();
}
