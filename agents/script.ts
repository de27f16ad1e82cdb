/**
 * Builds the script a headless agent's dispatch runs. It contains only paths
 * and flags we control, each quoted; the task text reaches the program as a
 * file on its stdin (or a file argument), never as part of a command line.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentJob, ScriptPaths } from "./runtime.js";

/** A word for bash: single-quoted unless it is plainly safe. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** render-stream.js next to this module (dist/agents/ once built). */
export function renderScriptPath(): string {
  return fileURLToPath(new URL("./render-stream.js", import.meta.url));
}

/**
 * An argument whose value is a file's content, read when the script runs:
 * `--flag="$(cat -- 'file')"` is one word holding the text as it is (command
 * substitution inside double quotes is not parsed again), so the text never
 * becomes part of the script. bash drops trailing newlines and NUL bytes
 * (roles refuse NUL).
 */
export interface FileArgument {
  readonly prefix: string;
  readonly file: string;
}

export interface ProgramRun {
  /** The runtime name, passed to the renderer so it knows the event format. */
  readonly runtime: string;
  /** argv of the program, ours first, then the user's `args`. */
  readonly argv: readonly (string | FileArgument)[];
  /** Environment for the program only (its config folder, mostly). */
  readonly env: Readonly<Record<string, string>>;
  /** `stdin`: the prompt file is the program's stdin; `none`: argv already names it. */
  readonly prompt: "stdin" | "none";
  /** A line written into the stream before the program's output (for programs without session ids of their own). */
  readonly banner?: string;
  /** Commands run before the program (after its config folder exists), each already quoted. */
  readonly setup?: readonly string[];
}

/**
 * `VAR=… program args < prompt 2>&1 | tee -p events | node render-stream.js runtime`,
 * exiting with the program's status. stderr joins the event stream so its
 * messages (bad flag, missing login) reach the result; parsers skip what is
 * not an event. `tee -p` keeps writing the events file even if the renderer
 * dies, so the program never gets SIGPIPE because of the display.
 */
export function pipeline(run: ProgramRun, job: AgentJob, paths: ScriptPaths): string {
  const env = Object.entries(run.env).map(([key, value]) => `${key}=${shellQuote(value)}`);
  // The agent's `node:`: its folder first on the program's PATH, so `#!/usr/bin/env node` finds it.
  if (job.node) env.unshift(`PATH=${shellQuote(dirname(job.node))}:"$PATH"`);
  const command = [...env, ...run.argv.map(word)].join(" ");
  const input = run.prompt === "stdin" ? ` < ${shellQuote(job.promptFile)}` : " < /dev/null";
  const render = [paths.node, paths.renderer, run.runtime].map(shellQuote).join(" ");
  const program = run.banner === undefined ? `${command}${input}` : `{ printf '%s\\n' ${shellQuote(run.banner)}; ${command}${input}; }`;
  return [
    `# claude-agent: ${run.runtime} headless task (generated)`,
    `mkdir -p -- ${shellQuote(paths.configDir)}`,
    ...(run.setup ?? []),
    `${program} 2>&1 | tee -p -- ${shellQuote(job.eventsFile)} | ${render}`,
    `exit "\${PIPESTATUS[0]}"`,
    "",
  ].join("\n");
}

function word(arg: string | FileArgument): string {
  return typeof arg === "string" ? shellQuote(arg) : `${shellQuote(arg.prefix)}"$(cat -- ${shellQuote(arg.file)})"`;
}

/** `--flag value` when the value is set. */
export function option(flag: string, value: string | null | undefined): string[] {
  return value ? [flag, value] : [];
}
