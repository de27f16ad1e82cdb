/**
 * The backup file: a tar of a staging folder, zstd-compressed (`.tar.zst`)
 * when zstd is installed, else gzip (`.tar.gz`, said plainly). On restore
 * only the member names a backup has are extracted, without owners or
 * modes, and each must come out as a regular file.
 */
import { spawnSync } from "node:child_process";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../core/index.js";

export function hasZstd(): boolean {
  return spawnSync("zstd", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The file the backup goes to: `out` as asked, or with .tar.gz when zstd is missing for a .tar.zst. */
export function archiveName(out: string, zstd: boolean): { file: string; compression: "zstd" | "gzip"; note: string | null } {
  if (out.endsWith(".tar.zst") || out.endsWith(".tzst")) {
    if (zstd) return { file: out, compression: "zstd", note: null };
    const file = out.replace(/\.(tar\.zst|tzst)$/, ".tar.gz");
    return { file, compression: "gzip", note: `zstd is not installed, so the backup is gzip-compressed instead: ${file} (apt-get install zstd for .tar.zst)` };
  }
  if (out.endsWith(".tar.gz") || out.endsWith(".tgz")) return { file: out, compression: "gzip", note: null };
  throw new UsageError(`--out: name the backup FILE.tar.zst (or FILE.tar.gz), got ${JSON.stringify(out)}`);
}

export function createArchive(file: string, compression: "zstd" | "gzip", dir: string, members: readonly string[]): void {
  const result = spawnSync("tar", [compression === "zstd" ? "--zstd" : "--gzip", "-cf", file, "-C", dir, "--", ...members], { encoding: "utf8" });
  if (result.status !== 0) throw new UsageError(`cannot write the backup ${file}: ${result.stderr.trim() || `tar exited ${result.status}`}`);
}

/** Lists the archive and extracts the expected members into `dir`; anything else in it is refused. */
export function extractArchive(file: string, dir: string, allowed: (name: string) => boolean): string[] {
  const listed = spawnSync("tar", ["-tf", file], { encoding: "utf8" });
  if (listed.status !== 0) throw new UsageError(`${file} is not a backup this program can read: ${listed.stderr.trim() || `tar exited ${listed.status}`}`);
  const names = listed.stdout
    .split("\n")
    .filter(Boolean)
    .filter((name) => !name.endsWith("/"));
  const strange = names.filter((name) => !allowed(name));
  if (strange.length > 0)
    throw new UsageError(
      `${file} holds files a backup never has: ${strange
        .slice(0, 3)
        .map((n) => JSON.stringify(n))
        .join(", ")}`,
    );
  const result = spawnSync("tar", ["-xf", file, "-C", dir, "--no-same-owner", "--no-same-permissions", "--", ...names], { encoding: "utf8" });
  if (result.status !== 0) throw new UsageError(`cannot read the backup ${file}: ${result.stderr.trim()}`);
  for (const name of names) {
    if (!lstatSync(join(dir, name)).isFile()) throw new UsageError(`${file}: ${JSON.stringify(name)} is not a regular file`);
  }
  return names;
}
