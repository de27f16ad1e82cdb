/**
 * The agent's working directory as the only part of the file system its file
 * tools may touch. A path is refused when it leads outside, lexically
 * (`../x`, `/etc/passwd`) or through a symbolic link (a link inside pointing
 * outside, a dangling link, a linked parent folder), and `.git` internals are
 * left to the git tools.
 */
import { lstatSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

export class PathRefused extends Error {
  override readonly name = "PathRefused";
}

export class Workspace {
  /** The working directory with every symbolic link resolved. */
  readonly root: string;

  constructor(cwd: string) {
    this.root = realpathSync(cwd);
  }

  /** The absolute path of `path` (relative to the root, or absolute inside it) for reading; it must exist. */
  forRead(path: string): string {
    const target = this.lexical(path);
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      if (isLink(target)) throw new PathRefused(`${path}: a symbolic link that leads nowhere`);
      throw new PathRefused(`${path}: no such file or folder`);
    }
    this.ensureInside(real, path);
    return real;
  }

  /** The absolute path of `path` for writing: it may not exist yet, but where it would land must be inside. */
  forWrite(path: string): string {
    const target = this.lexical(path);
    if (relative(this.root, target).split(sep)[0] === ".git") throw new PathRefused(`${path}: the .git folder is left to the git tools`);
    if (isLink(target)) {
      let real: string;
      try {
        real = realpathSync(target);
      } catch {
        throw new PathRefused(`${path}: a symbolic link that leads nowhere`);
      }
      this.ensureInside(real, path);
      return real;
    }
    // The nearest existing ancestor decides where a new file lands (a linked parent folder counts).
    let ancestor = dirname(target);
    while (!exists(ancestor)) ancestor = dirname(ancestor);
    let real: string;
    try {
      real = realpathSync(ancestor);
    } catch {
      throw new PathRefused(`${path}: ${this.show(ancestor)} is a symbolic link that leads nowhere`);
    }
    this.ensureInside(real, path);
    return target;
  }

  /** `path` as the model should see it: relative to the root. */
  show(absolute: string): string {
    return relative(this.root, absolute) || ".";
  }

  private lexical(path: string): string {
    if (typeof path !== "string" || path.trim() === "") throw new PathRefused("expected a path relative to the working directory");
    if (path.includes("\0")) throw new PathRefused(`${JSON.stringify(path)}: not a valid path`);
    const target = resolve(this.root, path);
    if (!this.contains(target)) throw new PathRefused(`${path}: outside the working directory`);
    return target;
  }

  private ensureInside(real: string, path: string): void {
    if (!this.contains(real)) throw new PathRefused(`${path}: leads outside the working directory (symbolic link to ${real})`);
  }

  private contains(absolute: string): boolean {
    const rel = relative(this.root, absolute);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
