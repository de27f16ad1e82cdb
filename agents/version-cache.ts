/**
 * What agent programs answered to `--version`, remembered per executable file
 * in claude-agent's cache (`program-versions.json` beside the cached Node
 * releases). Asking costs a whole program start: Gemini CLI 0.61 loads a
 * bundle that took 1.3 s of CPU and 5–13 s of wall time on a loaded 2-core
 * machine, which made every `doctor` and `init` wait out its 5 s bound and
 * then report "--version failed". An answer is reused only while the file it
 * came from is the same file, unchanged: its real path (a symlink that moves
 * to a new release is a new key), inode, size and change time (an upgrade in
 * place rewrites it), and for at most an hour (a wrapper script whose target
 * changed underneath keeps its own stamp). Best effort throughout: a cache that
 * cannot be read or written is no cache, never an error.
 */
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable, pathDirs } from "./executables.js";
import { cacheRoot } from "./node-runtime.js";

/** How long an answer is trusted at most, even for an unchanged file. */
const MAX_AGE_MS = 60 * 60 * 1000;
/** Entries kept; the oldest go first (one per program release and Node actually probed). */
const MAX_ENTRIES = 64;

interface Entry {
  readonly version: string;
  readonly at: number;
}

export interface VersionCacheOptions {
  /** Where `program-versions.json` lives: claude-agent's cache by default. */
  readonly dir?: string;
  readonly now?: () => number;
}

export class VersionCache {
  private readonly file: string;
  private readonly now: () => number;

  constructor(options: VersionCacheOptions = {}) {
    this.file = join(options.dir ?? cacheRoot(), "program-versions.json");
    this.now = options.now ?? Date.now;
  }

  /** The stamp of the program `executable` names (a path, or a name looked up on `path`) run by `node`; null when it cannot be found. */
  keyOf(executable: string, path: string | undefined, node: string | null): string | null {
    const file = executable.includes("/") ? executable : findExecutable(executable, pathDirs(path));
    if (!file) return null;
    const stamps = [stamp(file), node ? stamp(node) : "-"];
    return stamps.includes(null) ? null : stamps.join("|");
  }

  get(key: string): string | null {
    const entry = this.read()[key];
    return entry && this.now() - entry.at < MAX_AGE_MS && this.now() >= entry.at ? entry.version : null;
  }

  set(key: string, version: string): void {
    const entries = { ...this.read(), [key]: { version, at: this.now() } };
    const kept = Object.entries(entries)
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, MAX_ENTRIES);
    try {
      mkdirSync(join(this.file, ".."), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(Object.fromEntries(kept)));
      renameSync(temp, this.file); // whole or not at all: concurrent probes never leave half a file
    } catch {
      // no cache this time
    }
  }

  private read(): Record<string, Entry> {
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as unknown;
      if (typeof parsed !== "object" || parsed === null) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((pair): pair is [string, Entry] => typeof pair[1]?.version === "string" && typeof pair[1]?.at === "number"),
      );
    } catch {
      return {};
    }
  }
}

/** realpath, inode, size and change time (ns) of a file; null when it is not there. */
function stamp(file: string): string | null {
  try {
    const real = realpathSync(file);
    const info = statSync(real, { bigint: true });
    return `${real}:${info.ino}:${info.size}:${info.ctimeNs}:${info.mtimeNs}`;
  } catch {
    return null;
  }
}
