/** Runs the built CLI as a user would: no terminal, no stdin unless given, `--home` first. The one place tests start it. */
import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import { resolve } from "node:path";
import type { Readable } from "node:stream";

export const CLI = resolve(import.meta.dirname, "../../dist/cli/main.js");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Passed as `--home`, and the working directory unless `cwd` says otherwise (for runCli: no default cwd). */
  readonly home?: string;
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

const argv = (args: readonly string[], home: string | undefined): string[] => [CLI, ...(home ? ["--home", home] : []), ...args];

/** Runs the CLI to its end, blocking this process (so not while a server in this process must answer it). */
export function runCli(args: readonly string[], options: CliOptions & { input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, argv(args, options.home), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: 120_000,
  });
  return { exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RunningCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** What it has printed so far, as text and as bytes (a raw C1 byte must not be hidden by decoding). */
  stdout(): string;
  stdoutBytes(): Buffer;
  stderrBytes(): Buffer;
  /** Settles once it has exited and its output is closed; exit code -1 when a signal ended it. */
  readonly done: Promise<CliResult>;
}

/** Starts the CLI without blocking this process: several can run at once, race other clients, or be read while they run. */
export function spawnCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, argv(args, options.home), {
    cwd: options.cwd ?? options.home,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const stdoutBytes = () => Buffer.concat(out);
  const stderrBytes = () => Buffer.concat(err);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout: stdoutBytes().toString("utf8"), stderr: stderrBytes().toString("utf8") }));
  });
  return { child, stdout: () => stdoutBytes().toString("utf8"), stdoutBytes, stderrBytes, done };
}

/** Runs the CLI to its end without blocking this process. */
export function runCliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).done;
}
