import { existsSync, renameSync, statSync } from "node:fs";
import type { LogFn } from "../../core/index.js";

/** The file's inode, to notice it was deleted or replaced under an open store; null when it is gone. */
export function inodeOf(file: string): number | null {
  try {
    return statSync(file).ino;
  } catch {
    return null;
  }
}

/** Renames a damaged SQLite file and its -wal and -shm beside it (`<file>.damaged-<time>`), kept for a post-mortem. */
export function moveAside(file: string, why: string, log: LogFn): void {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  log("history.moved-aside", { file, aside, why });
}
