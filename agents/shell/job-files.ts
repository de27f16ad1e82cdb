import { closeSync, existsSync, lstatSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomSuffix, type SpareFiles } from "../../core/index.js";
import { MAX_ARG_BYTES } from "./rc.js";

/**
 * One dispatch of a job to a shell pane is one file written by the bridge,
 * `<token>.job` (token: `<taskId>-<attempt>`), and one written by the pane:
 * `.claim`, created exclusively by whoever takes the dispatch (the pane, or a
 * bridge withdrawing it), to which the pane appends `end CODE TEE` once the
 * command has finished. A task text too long for an argument goes in `.sh`
 * beside it. (A pane started by an older rcfile writes the end to `.exit`.)
 *
 * `.job` is read by `ca-run` with builtins alone (shell/rc.ts), top to bottom:
 *
 *   nonce \n mode (arg|file) \n output file \n env count \n sandbox argv count \n
 *   preview \0  env entries (CA_NAME=value) \0…  bwrap argv \0…  task text \0 (arg mode)
 *
 * NUL is the separator because no field can hold one: submit refuses NUL in
 * task text and values, and a sandbox argument holding one is refused here.
 */
export interface Dispatch {
  readonly token: string;
  readonly nonce: string;
  /** The only thing typed into the pane: a command of our own with a safe token. */
  readonly line: string;
}

export type DispatchState =
  /** `outputSaved` false: tee could not write the whole output file (its disk is full, most likely). */
  { kind: "finished"; exitCode: number; outputSaved: boolean } | { kind: "running" } | { kind: "withdrawn" } | { kind: "not-started" } | { kind: "unknown" };

const PREVIEW_LINES = 12;

/**
 * `task` is the bash text the pane runs; `preview`, what the pane shows of it
 * (default: the task itself; an agent program's dispatch shows its prompt).
 */
export function writeDispatch(
  jobsDir: string,
  options: {
    token: string;
    task: string;
    outputFile: string;
    header: string;
    preview?: string;
    env?: Readonly<Record<string, string>>;
    sandbox?: readonly string[] | null;
    /** Emptied files to make the `.job` from, instead of a new file (core/spare-files.ts). */
    spares?: SpareFiles;
  },
): Dispatch {
  const nonce = randomSuffix(16);
  const mode = runsFromFile(options.task) ? "file" : "arg";
  for (const [what, text] of [
    ["the task text", options.task],
    ["the output file's path", options.outputFile],
  ] as const) {
    if (text.includes("\0")) throw new Error(`dispatch ${options.token}: ${what} holds a NUL byte`);
  }
  const box = options.sandbox ?? [];
  if (box.some((arg) => arg.includes("\0"))) throw new Error(`dispatch ${options.token}: a sandbox argument holds a NUL byte`);
  if (options.outputFile.includes("\n")) throw new Error(`dispatch ${options.token}: the output file's path holds a newline`);
  // [issue 11, workflow values] The task's own variables, exported by `ca-run` in the task's process only. Names and
  // values were checked at submit (CA_[A-Z0-9_]+, no NUL); the pane checks the name again.
  const env = envEntries(options.env ?? {});
  if (mode === "file") writeFileSync(scriptFile(jobsDir, options.token), options.task, { mode: 0o600 });
  const job = [
    `${nonce}\n${mode}\n${options.outputFile}\n${env.length}\n${box.length}\n`,
    `${preview(options.header, options.preview ?? options.task).replaceAll("\0", "")}\0`,
    ...env.map((entry) => `${entry}\0`),
    ...box.map((arg) => `${arg}\0`),
    mode === "arg" ? `${options.task}\0` : "",
  ].join("");
  // One write of a new file: the pane reads the dispatch only once it is claimed, after the line is typed.
  writeNewFile(jobFile(jobsDir, options.token), job, options.spares);
  return { token: options.token, nonce, line: ` ca-run ${options.token}` };
}

/** What became of a dispatch, from its files alone (used after a bridge restart). */
export function inspectDispatch(jobsDir: string, token: string): DispatchState {
  const base = join(jobsDir, token);
  const claim = readIfExists(`${base}.claim`);
  if (claim === null) return existsSync(`${base}.job`) ? { kind: "not-started" } : { kind: "unknown" };
  if (claim.startsWith("withdrawn")) return { kind: "withdrawn" };
  // ca-run appends its end as one line with one write; only a whole line (its newline read) is an ending.
  const end = /(?:^|\n)end (-?\d+) (\d*)\n/.exec(claim);
  if (end) return { kind: "finished", exitCode: Number.parseInt(end[1]!, 10), outputSaved: end[2] === "0" || end[2] === "" };
  return legacyExit(base) ?? { kind: "running" };
}

/**
 * The end a pane started by an older rcfile wrote to `<token>.exit` (code, then tee's status), or null.
 * That ca-run wrote the file with one `printf … >`: between the shell's O_TRUNC open and its write it is empty.
 * Read then, it is not an ending (it was taken for exit code -1, failing a job that was about to complete).
 */
function legacyExit(base: string): DispatchState | null {
  const exit = readIfExists(`${base}.exit`);
  if (exit === null || exit === "") return null;
  const [first = "", second = "0"] = exit.split("\n");
  const code = Number.parseInt(first.trim(), 10);
  return { kind: "finished", exitCode: Number.isNaN(code) ? -1 : code, outputSaved: second.trim() === "0" || second.trim() === "" };
}

/**
 * Takes a dispatch back before the pane starts it. Returns false when the pane
 * claimed it first, in which case the job is running and must be adopted.
 */
export function withdrawDispatch(jobsDir: string, token: string): boolean {
  try {
    writeFileSync(join(jobsDir, `${token}.claim`), "withdrawn\n", { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

export function readExitCode(jobsDir: string, token: string): number | null {
  const state = inspectDispatch(jobsDir, token);
  return state.kind === "finished" ? state.exitCode : null;
}

const PROMPT_EXT = ".prompt";
const EVENTS_EXT = ".events.jsonl";
const POLICY_EXT = ".policy.json";
const DISPATCH_EXTS = [".job", ".sh", ".claim", ".exit", PROMPT_EXT, EVENTS_EXT, POLICY_EXT] as const;

/** The files of a dispatch that only the bridge and the pane's own shell ever wrote, each closed at once: safe to reuse (core/spare-files.ts). */
const REUSABLE_EXTS: ReadonlySet<string> = new Set([".job", ".claim", ".exit"]);

/** Removes a dispatch's files; with `spares`, those fit for reuse are kept there, emptied, instead. */
export function removeDispatch(jobsDir: string, token: string, spares?: SpareFiles): void {
  for (const ext of DISPATCH_EXTS) {
    const path = join(jobsDir, token + ext);
    // Most of these a dispatch never made (a shell task makes two of seven): a look that cannot throw, not a failed
    // unlink or rename, whose error Node builds with a stack trace (5 of them per task in the bridge's syscalls).
    if (!lstatSync(path, { throwIfNoEntry: false })) continue;
    if (spares && REUSABLE_EXTS.has(ext)) spares.give(path);
    else removeIfThere(path);
  }
}

/**
 * Removes the files of every dispatch of a task (each attempt, each gate
 * retry) once it has ended: `.sh` and `.prompt` hold its raw text, secrets
 * included. Other files named after the task (an interactive run's result
 * file, which is its output file) stay.
 */
export function removeTaskDispatches(jobsDir: string, taskId: string, last?: { attempts: number; dispatch: string | null }, spares?: SpareFiles): void {
  // The common case, a task dispatched once with no gate retry, without listing a directory that holds every running task's files.
  if (last && last.attempts <= 1 && last.dispatch === `${taskId}-1`) return removeDispatch(jobsDir, last.dispatch, spares);
  let names: string[];
  try {
    names = readdirSync(jobsDir);
  } catch {
    return;
  }
  const tokens = new Set<string>();
  for (const name of names) {
    if (!name.startsWith(`${taskId}-`)) continue;
    const ext = DISPATCH_EXTS.find((candidate) => name.endsWith(candidate));
    if (ext) tokens.add(name.slice(0, -ext.length));
  }
  for (const token of tokens) removeDispatch(jobsDir, token, spares);
}

/**
 * An agent program's dispatch has two more files: the prompt it reads (the
 * task text, never put on a command line) and the event stream it writes.
 */
export function agentJobFiles(jobsDir: string, token: string): { promptFile: string; eventsFile: string } {
  return { promptFile: join(jobsDir, token + PROMPT_EXT), eventsFile: join(jobsDir, token + EVENTS_EXT) };
}

/** The policy hook's settings of a program's dispatch (AgentRuntime.policySettings), when it has any; the sandbox shows it read-only. */
export function policyFile(jobsDir: string, token: string): string {
  return join(jobsDir, token + POLICY_EXT);
}

/** Writes the prompt file; returns the paths of both agent files. */
export function writePrompt(jobsDir: string, token: string, prompt: string): { promptFile: string; eventsFile: string } {
  const files = agentJobFiles(jobsDir, token);
  writeFileSync(files.promptFile, prompt, { mode: 0o600 });
  return files;
}

function envEntries(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /^CA_[A-Z0-9_]+$/.test(name) && !value.includes("\0"))
    .map(([name, value]) => `${name}=${value}`);
}

function preview(header: string, task: string): string {
  const lines = task.split("\n");
  const shown = lines.slice(0, PREVIEW_LINES).map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line));
  if (lines.length > PREVIEW_LINES) shown.push(`… (${lines.length - PREVIEW_LINES} more lines)`);
  return `${header}\n$ ${shown.join("\n  ")}`;
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Whether a task text is too long to be one argument of `bash -c`: it runs from its `.sh` file instead. */
export function runsFromFile(task: string): boolean {
  return Buffer.byteLength(task) >= MAX_ARG_BYTES;
}

/** The file a dispatch's task runs from when it is too long for an argument (sandboxes bind it read-only). */
export function scriptFile(jobsDir: string, token: string): string {
  return join(jobsDir, `${token}.sh`);
}

/** The nonce of a dispatch, needed to trust its end marker when a restarted bridge adopts it. */
export function readNonce(jobsDir: string, token: string): string | null {
  const job = readIfExists(jobFile(jobsDir, token));
  return job ? job.slice(0, job.indexOf("\n")) || null : null;
}

/** The dispatch's one file written by the bridge (see writeDispatch). */
export function jobFile(jobsDir: string, token: string): string {
  return join(jobsDir, `${token}.job`);
}

/** `content` as a new file at `path` (mode 0600): a spare moved there when there is one, else created (replacing what is there). */
function writeNewFile(path: string, content: string, spares: SpareFiles | undefined): void {
  let fd: number | null = null;
  try {
    fd = spares?.take(path) ?? null;
  } catch {
    fd = null; // something is there already: replaced below, as before
  }
  if (fd === null) return writeFileSync(path, content, { mode: 0o600 });
  try {
    const data = Buffer.from(content);
    for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
  } finally {
    closeSync(fd);
  }
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
