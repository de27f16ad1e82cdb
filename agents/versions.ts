/**
 * The version an agent program reports (`<program> --version`), bounded: a
 * program that hangs must not hang `doctor`, `up` or a session's start. Run
 * in its own process group, so that when it takes too long the whole group is
 * killed (a child left holding the output pipe would otherwise keep us
 * waiting). Used by doctor, up and the bridge, which records each session's
 * program version for `status`.
 */
import { execa } from "execa";

export interface ProbeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The agent's `node:` (found): its folder goes first on PATH, as when the program runs a task. */
  readonly node?: string | null;
  readonly timeoutMs?: number;
}

/** The first line of `--version` output that holds a version number, or null when it failed or took too long. */
export async function probeVersion(executable: string, options: ProbeOptions = {}): Promise<string | null> {
  const base = options.env ?? process.env;
  const path = options.node ? `${options.node.replace(/\/[^/]*$/, "")}:${base.PATH ?? ""}` : base.PATH;
  // QWEN_CODE_NO_RELAUNCH: qwen otherwise starts a second node process just to print its version.
  const env = { ...base, PATH: path, QWEN_CODE_NO_RELAUNCH: "true" };
  const child = execa(executable, ["--version"], { env, extendEnv: false, reject: false, stdin: "ignore", detached: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 5000);
  const result = await child.finally(() => clearTimeout(timer));
  if (timedOut || result.failed) return null;
  const line = `${String(result.stdout)}\n${String(result.stderr)}`
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /\d+\.\d+/.test(l));
  return line ?? null;
}
