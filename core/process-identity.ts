import { readFileSync } from "node:fs";

/**
 * A pid names a process only until it exits: the kernel hands the number to
 * the next process soon after. These read what identifies a process beyond
 * its pid, so that nothing of ours ever signals a stranger that inherited it.
 */

/** The process' start time (clock ticks after boot, /proc/<pid>/stat field 22), or null when it is gone or unreadable. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)"; comm may hold spaces and parentheses, hence the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null; // field 22 overall: state is field 3, the first after comm
  } catch {
    return null;
  }
}

/** The process' arguments (/proc/<pid>/cmdline), or null when it is gone or unreadable. */
export function processArgv(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw === "" ? [] : raw.replace(/\0$/, "").split("\0");
  } catch {
    return null;
  }
}

/** One variable of the process' environment (/proc/<pid>/environ; readable for our own processes), or undefined. */
export function processEnvVar(pid: number, name: string): string | undefined {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .find((line) => line.startsWith(`${name}=`));
    return entry?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}
