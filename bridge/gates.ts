/**
 * A gate: a deterministic check (`npm test`, `git diff --quiet`) that must
 * pass before an agent's task counts as completed: the end of an agent's turn
 * is not the task done. The bridge starts it, not the pane: its exit code is
 * the artifact, and nothing the agent prints can fake it. It runs with the
 * agent's environment only (never the daemon's: no Redis URL, no home, no
 * supervisor key) and, for a sandboxed agent, inside the agent's sandbox,
 * where the swarm's home is as invisible as to the agent's tasks.
 */
import { execa } from "execa";
import { stripAnsi } from "../core/index.js";

export interface GateRun {
  readonly command: string;
  /** null when it was killed (time limit or cancel). */
  readonly exitCode: number | null;
  readonly output: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly durationMs: number;
}

export interface GateOptions {
  readonly cwd: string;
  /** The gate's whole environment: the agent's (agent-env.ts) and the task's identity. */
  readonly env: Readonly<Record<string, string>>;
  /** `bwrap … --` to run it in the agent's sandbox; null: unsandboxed. */
  readonly sandbox?: readonly string[] | null;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The gate output kept in a result: its last 64 KB (where test runners print their summary). */
export const GATE_OUTPUT_TAIL = 64 * 1024;
const KILL_GRACE_MS = 2000;

/**
 * `bash -c <command>` in its own process group, so that a time limit or a
 * cancel stops the test runner and everything it started, not only bash (in
 * a sandbox, its pid namespace dies with bwrap, whatever left the group).
 */
export async function runGate(command: string, options: GateOptions): Promise<GateRun> {
  const started = Date.now();
  const [program, ...prefix] = [...(options.sandbox ?? []), "bash"];
  const child = execa(program!, [...prefix, "-c", command], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: "ignore",
    all: true,
    reject: false,
    detached: true,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  let stop: "timeout" | "cancel" | null = null;
  const kill = (why: "timeout" | "cancel") => {
    if (stop) return;
    stop = why;
    signalGroup(child.pid, "SIGTERM");
    setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => kill("timeout"), Math.max(0, options.timeoutMs));
  const onAbort = () => kill("cancel");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await child;
    const output = tail(stripAnsi(String(result.all ?? "")));
    return {
      command,
      exitCode: stop ? null : (result.exitCode ?? null),
      output,
      timedOut: stop === "timeout",
      cancelled: stop === "cancel",
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** "gate failed: npm test exited 1" and its variants, for a task's `reason`. */
export function gateFailureReason(run: GateRun): string {
  if (run.timedOut) return `gate failed: ${run.command} did not finish within the task's time limit`;
  if (run.cancelled) return `gate cancelled: ${run.command}`;
  return `gate failed: ${run.command} exited ${run.exitCode ?? "abnormally"}`;
}

/** What an agent program is told when its work failed the gate: the command, its exit code and its output. */
export function gateRetryPrompt(run: GateRun, retry: number, allowed: number): string {
  return [
    `The check \`${run.command}\` failed after your last change (exit code ${run.exitCode ?? "none"}).`,
    `Fix the problem so that the check passes. It runs again when you finish (retry ${retry} of ${allowed}).`,
    "",
    "Its output:",
    "```",
    run.output.trimEnd() || "(no output)",
    "```",
  ].join("\n");
}

function tail(text: string): string {
  if (text.length <= GATE_OUTPUT_TAIL) return text;
  return `… [${text.length - GATE_OUTPUT_TAIL} characters omitted] …\n${text.slice(-GATE_OUTPUT_TAIL)}`;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
