import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * How many spares a bridge with `sessions` local sessions makes at start and keeps. A task holds two files
 * while it runs (its `.job` and its recording, taken at its start) and gives two back (its `.job` and `.claim`)
 * once its result is written. Its session is freed before that, so the next task in it takes first: the pool
 * must cover every running task's two and then some, or a recording is a new file again. A fixed reserve of 16
 * left 8 busy sessions at the edge (the recorder's share of a burst's CPU read 2.4 % in one full run and 1.5 %
 * in another, against 0.1-1.0 % while a third file, `.exit`, was given back per task).
 */
export function spareCounts(sessions: number): { reserve: number; keep: number } {
  const reserve = 2 * sessions + 8;
  return { reserve, keep: Math.max(32, 2 * reserve) };
}

/**
 * Emptied files of ours kept for reuse, so that a burst of tasks moves files
 * (a rename, a link) instead of deleting old ones and creating new ones.
 *
 * Why: on the ext4 of the bench's machine a file created during a burst
 * cost the daemon 0.44–0.51 ms of kernel CPU (its CPU profile, `open(2)` of
 * each task's dispatch and recording: a quarter of the daemon's CPU per task),
 * while a link of an existing file cost 0.01–0.02 ms. The cost is the
 * allocation of a new inode, not the name: an empty file costs the same.
 *
 * Only files no task could ever hold open for writing are given (a dispatch's
 * `.job` and `.claim`, and the `.exit` of a pane started by an older rcfile:
 * written by the bridge or by the pane's own shell with redirections that
 * close at once, and never shown to a sandbox), so that a file handed on as
 * another task's dispatch or recording cannot be written through an old
 * descriptor. Each is emptied as it is given (a `.job` holds the task's text),
 * and one that is not a plain file with one name is deleted instead.
 */
export class SpareFiles {
  private readonly free: string[] = [];
  private next = 0;
  private closed = false;
  private readonly keep: number;

  /**
   * `dir`: a folder of the swarm's own, on the same file system as the files given and taken; emptied now, then
   * given `reserve` empty files (spareCounts). At most `keep` are kept; more given back are deleted.
   */
  constructor(
    private readonly dir: string,
    { reserve, keep }: { reserve: number; keep: number } = spareCounts(4),
  ) {
    this.keep = keep;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Spares of an earlier run (a daemon killed before its close): not known to be empty, so deleted.
    for (const name of readdirSync(dir)) removeQuietly(join(dir, name));
    for (let i = 0; i < Math.min(reserve, keep); i++) {
      const spare = join(dir, String(this.next++));
      closeSync(openSync(spare, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
      this.free.push(spare);
    }
  }

  get size(): number {
    return this.free.length;
  }

  /** Keeps the file at `path`, emptied, for a later `take`; deletes it when enough are kept. A path with nothing there is fine. */
  give(path: string): void {
    if (this.closed || this.free.length >= this.keep) return removeQuietly(path);
    const spare = join(this.dir, String(this.next++));
    try {
      renameSync(path, spare);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      return removeQuietly(path); // another file system: deleted as before
    }
    try {
      const fd = openSync(spare, constants.O_WRONLY | constants.O_NOFOLLOW);
      try {
        const stat = fstatSync(fd);
        if (!stat.isFile() || stat.nlink !== 1) throw new Error("not a plain file with one name");
        ftruncateSync(fd, 0);
        if ((stat.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600); // a `.claim` is made by the pane's shell with its umask
      } finally {
        closeSync(fd);
      }
      this.free.push(spare);
    } catch {
      removeQuietly(spare);
    }
  }

  /**
   * A new empty file at `target` (mode 0600), opened for writing, made by
   * moving a spare there; null when none can be (none kept, or another file
   * system): create it as usual. Like an exclusive create, it throws EEXIST
   * when something is at `target` already, a link included.
   */
  take(target: string): number | null {
    const spare = this.free.pop();
    if (spare === undefined) return null;
    try {
      linkSync(spare, target);
    } catch (error) {
      this.free.push(spare);
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw error;
      return null;
    }
    removeQuietly(spare);
    return openSync(target, constants.O_WRONLY | constants.O_NOFOLLOW);
  }

  /** Deletes the spares; later gives delete. Idempotent. */
  close(): void {
    this.closed = true;
    for (const spare of this.free.splice(0)) removeQuietly(spare);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing there (ENOENT), or it cannot be removed: a spare left over is emptied, and deleted at the next start.
  }
}
