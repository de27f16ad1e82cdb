/**
 * The version an agent program reports (`<program> --version`), bounded: a
 * program that hangs must not hang `doctor`, `up` or a session's start. Run
 * in its own process group, so that when it takes too long the whole group is
 * killed (a child left holding the output pipe would otherwise keep us
 * waiting). Used by doctor, up and the bridge, which records each session's
 * program version for `status`. Answers are remembered per executable file
 * (version-cache.ts): a program is asked again only once its file changed.
 */
import { cacheRoot } from "./node-runtime.js";
import { VersionCache } from "./version-cache.js";

export interface ProbeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The agent's `node:` (found): its folder goes first on PATH, as when the program runs a task. */
  readonly node?: string | null;
  readonly timeoutMs?: number;
  /** Where answers are remembered; false asks the program every time. */
  readonly cache?: VersionCache | false;
}

/** The first line of `--version` output that holds a version number, or null when it failed or took too long. */
export async function probeVersion(executable: string, options: ProbeOptions = {}): Promise<string | null> {
  const base = options.env ?? process.env;
  const path = options.node ? `${options.node.replace(/\/[^/]*$/, "")}:${base.PATH ?? ""}` : base.PATH;
  // QWEN_CODE_NO_RELAUNCH: qwen otherwise starts a second node process just to print its version.
  const env = { ...base, PATH: path, QWEN_CODE_NO_RELAUNCH: "true" };
  const cache = options.cache === false ? null : (options.cache ?? new VersionCache({ dir: cacheRoot(base) }));
  const key = cache?.keyOf(executable, path, options.node ?? null) ?? null;
  const known = cache && key ? cache.get(key) : null;
  if (known !== null) return known;
  const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
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
  // No answer is not remembered: a program too slow on a busy machine is asked again next time.
  if (line !== undefined && cache && key) cache.set(key, line);
  return line ?? null;
}
