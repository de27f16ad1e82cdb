import { readFileSync } from "node:fs";

/** Whether `pid` is a live process. A zombie counts as gone: this machine's init reaps exited processes seconds late. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false; // EPERM: it exists, owned by someone else
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — state Z is a zombie awaiting its reaper.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z";
  } catch {
    return true; // no /proc here: kill(pid, 0) is all we know
  }
}
