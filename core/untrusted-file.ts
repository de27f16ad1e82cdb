/**
 * Opening a file an agent program could have replaced: a result file, a
 * transcript, a task's output. The bridge runs outside every sandbox, so it
 * must not follow a symlink planted there (it would read, say, another
 * agent's files into a result), nor block on a FIFO (a synchronous open of
 * one would freeze the daemon's event loop), nor read a device: only a
 * regular file is opened, without following a final symlink, non-blocking.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from "node:fs";
import { sep } from "node:path";

/** A descriptor of `path` if it is a regular file (not through a symlink), else null. */
export function openRegularFile(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch {
    // fall through
  }
  closeSync(fd);
  return null;
}

/** The text of `path` if it is a regular file, else null. */
export function readRegularFile(path: string): string | null {
  const fd = openRegularFile(path);
  if (fd === null) return null;
  try {
    return readFileSync(fd, "utf8");
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** `path` lies inside `dir` once symlinks are resolved (a path a program reported about itself). */
export function isInside(path: string, dir: string): boolean {
  try {
    const real = realpathSync(path);
    const root = realpathSync(dir);
    return real.startsWith(root.endsWith(sep) ? root : root + sep);
  } catch {
    return false;
  }
}
