import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { shellRc } from "./rc.js";

export interface ShellPaths {
  readonly shellDir: string;
  readonly jobsDir: string;
}

/** Writes the rcfile and returns the argv a shell agent's pane runs as its own program. */
export function shellCommand(paths: ShellPaths): string[] {
  const rc = join(paths.shellDir, "rc.bash");
  writeFileSync(rc, shellRc(paths.jobsDir), { mode: 0o600 });
  return ["bash", "--noprofile", "--rcfile", rc, "-i"];
}
