import { spawnSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Whether this process may mount a tmpfs, the tests' full disk (root with
 * CAP_SYS_ADMIN, as in CI). Tests that need one are skipped otherwise.
 */
export function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "ca-mount-probe-"));
  try {
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir]).status !== 0) return false;
    spawnSync("umount", [dir]);
    return true;
  } finally {
    rmdirSync(dir);
  }
}
