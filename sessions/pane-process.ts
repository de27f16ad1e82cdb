/**
 * Whether a pane's own program (a shell agent's bash) holds its terminal's
 * foreground: read from /proc/<pid>/stat, where `tpgid` is the terminal's
 * foreground process group and `pgrp` the shell's own. While a job the shell
 * started runs, the job's group is in front; only when the shell has taken
 * the terminal back does the pane accept a new command. Output cannot fake
 * this, unlike a marker printed to the pane.
 */
import { readFileSync } from "node:fs";

/** null when it cannot be told (no /proc, or the process is gone). */
export function shellInForeground(panePid: number): boolean | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${panePid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid …": comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const pgrp = Number(fields[2]);
  const tpgid = Number(fields[5]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(tpgid) || tpgid <= 0) return null;
  return tpgid === pgrp;
}

/** A variable of a pane program's initial environment (/proc/<pid>/environ); null when absent or unreadable. */
export function paneVariable(panePid: number, name: string): string | null {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${panePid}/environ`, "utf8");
  } catch {
    return null;
  }
  const entry = environ.split("\0").find((item) => item.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}
