import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * When the pane recorded the end of dispatch `token` (agents/shell/rc.ts: ca-run appends `end CODE TEE` to the
 * dispatch's `<token>.claim` as the command ends): the claim's mtime, in ms. Null while the command runs, and
 * once the dispatch's files are gone (they are removed when its result is recorded).
 */
export function paneEndedAt(jobsDir: string, token: string): number | null {
  const claim = join(jobsDir, `${token}.claim`);
  try {
    return /(?:^|\n)end -?\d+ \d*\n/.test(readFileSync(claim, "utf8")) ? statSync(claim).mtimeMs : null;
  } catch {
    return null;
  }
}
