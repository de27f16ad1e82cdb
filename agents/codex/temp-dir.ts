/**
 * Codex CLI (0.171 at least) runs each shell command through bwrap and its
 * own `codex-linux-sandbox` helper, which it links into `$CODEX_HOME/tmp/arg0`
 * and puts on the command's PATH. It refuses to create that helper when
 * CODEX_HOME lies under the temp dir (Rust's `std::env::temp_dir()`: `$TMPDIR`,
 * else /tmp) and carries on regardless, so every command the model asks for
 * fails with "bwrap: execvp codex-linux-sandbox: No such file or directory"
 * while the turn still completes. A swarm whose home is under /tmp (the demo's
 * temporary home, a test's) hits exactly that; such an agent gets a TMPDIR of
 * its own inside its CODEX_HOME, which puts CODEX_HOME outside the temp dir
 * and keeps codex's temporary files inside the swarm's home too.
 */
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The TMPDIR to give codex, or null when its config folder is not under a temp dir. */
export function codexTempDir(configDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = resolve(configDir);
  const temps = new Set([resolve(env.TMPDIR || "/tmp"), resolve(tmpdir()), "/tmp"]);
  for (const temp of temps) if (dir === temp || dir.startsWith(`${temp}/`)) return join(dir, "tmp");
  return null;
}
