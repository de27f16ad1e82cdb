import { basename, dirname, isAbsolute, join, normalize } from "node:path";
import { EnvironmentError } from "./errors.js";
import { isSafeId } from "./ids.js";
import { decode } from "./ledger-codec.js";
import type { TaskRecord } from "./protocol.js";

/**
 * A task record is read back from Redis, which whoever reaches Redis can
 * write. Fields we turn into file names (the task id, the dispatch token
 * naming files in jobs/, the output file the bridge reads into the result)
 * must have the shape our own writers give them, or a forged record could
 * make the bridge or the sweeper read, write or delete any file of ours.
 * A record that fails is reported and treated as absent, never acted on.
 */

/** Where a record's files may live: the bridge passes its home's folders, checked exactly. */
export interface RecordFiles {
  readonly outputDir: string;
  readonly jobsDir: string;
  /** `<home>/agents`: an interactive agent's result files are in `<agentsDir>/<agent>/results`. */
  readonly agentsDir: string;
}

/** A task record in Redis that does not have the shape our writers give it. Exit code 4, like any broken resource. */
export class InvalidRecordError extends EnvironmentError {}

const NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const PANE = /^%\d{1,9}:\d{1,9}$/;
/** What follows `<id>-` in a dispatch token: `<attempt>`, and `<attempt>-g<retry>` for a gate's retry (bridge/dispatch/lifecycle.ts, settle.ts). */
const TOKEN_TAIL = /^[1-9]\d{0,5}(-g[1-9]\d{0,2})?$/;
/** Whether `token` is a dispatch token of task `id` (every record read checks it: one fixed pattern, not one compiled per read). */
const isTokenOf = (id: string, token: string): boolean => token.startsWith(`${id}-`) && TOKEN_TAIL.test(token.slice(id.length + 1));
/** What follows a token in the name of a job file: `.result.md`, `.out`, `.log`, … */
const JOB_FILE_SUFFIX = /^\.[a-z][a-z0-9.]{0,23}$/;

/** Every problem with the stored hash of task `id`; empty when it may be used. */
export function recordProblems(id: string, hash: Readonly<Record<string, string>>, files?: RecordFiles): string[] {
  if (!isSafeId(id)) return [`id: not a task id: ${JSON.stringify(id)}`];
  const problems: string[] = [];
  if (hash.id !== id) problems.push(`id: the record at this key says ${JSON.stringify(hash.id ?? null)}`);
  if (hash.agent !== undefined && !NAME.test(hash.agent)) problems.push(`agent: not an agent name: ${show(hash.agent)}`);
  if (hash.session && !NAME.test(hash.session)) problems.push(`session: not a session name: ${show(hash.session)}`);
  if (hash.pane && !PANE.test(hash.pane)) problems.push(`pane: not a pane: ${show(hash.pane)}`);
  if (hash.dispatch && !isTokenOf(id, hash.dispatch)) problems.push(`dispatch: not a dispatch token of task ${id}: ${show(hash.dispatch)}`);
  if (hash.outputFile) {
    const problem = outputFileProblem(id, hash.outputFile, hash.agent, files);
    if (problem) problems.push(`outputFile: ${problem}: ${show(hash.outputFile)}`);
  }
  if (hash.castFile) {
    const problem = castFileProblem(id, hash.castFile, files);
    if (problem) problems.push(`castFile: ${problem}: ${show(hash.castFile)}`);
  }
  return problems;
}

/**
 * The file fields of a well-formed record (no problems without `files`) that lie outside this home's
 * folders: in a swarm spanning hosts, a dispatch by another host names that host's own files
 * (docs/MULTI-HOST.md). The record is read without them: this home neither reads nor deletes another
 * home's files, and a forged path of the right shape is no more use than before.
 */
export function foreignFileFields(id: string, hash: Readonly<Record<string, string>>, files: RecordFiles): ("outputFile" | "castFile")[] {
  const foreign: ("outputFile" | "castFile")[] = [];
  if (hash.outputFile && outputFileProblem(id, hash.outputFile, hash.agent, files)) foreign.push("outputFile");
  if (hash.castFile && castFileProblem(id, hash.castFile, files)) foreign.push("castFile");
  return foreign;
}

/** The record of a well-formed hash, without files of another home (another host's dispatch: never acted on here); else null. */
export function usableRecord(id: string, hash: Record<string, string>, files: RecordFiles | undefined): TaskRecord | null {
  if (recordProblems(id, hash).length > 0) return null;
  for (const field of files ? foreignFileFields(id, hash, files) : []) delete hash[field];
  return decode(hash);
}

/** The recording is `<output>/<id>.cast` (bridge/flight-recorder.ts), nothing else: replay reads it and the sweeper deletes it. */
function castFileProblem(id: string, file: string, files?: RecordFiles): string | null {
  if (file.includes("\0") || !isAbsolute(file) || normalize(file) !== file) return "not a plain absolute path";
  if (basename(file) !== `${id}.cast`) return `not the recording of task ${id}`;
  if (files ? dirname(file) !== files.outputDir : basename(dirname(file)) !== "output") return "not in the home's output folder";
  return null;
}

/**
 * The output file is `<output>/<id>.log`, a job file `<jobs>/<token><suffix>`
 * of this task, or an interactive agent's result file
 * `<agents>/<agent>/results/<token>.result.md` (agents/claude/interactive/sessions.ts), for
 * the agent the record names.
 */
function outputFileProblem(id: string, file: string, agent: string | undefined, files?: RecordFiles): string | null {
  if (file.includes("\0") || !isAbsolute(file) || normalize(file) !== file) return "not a plain absolute path";
  const dir = dirname(file);
  const name = basename(file);
  if (name === `${id}.log`) {
    if (files ? dir !== files.outputDir : basename(dir) !== "output") return "not in the home's output folder";
    return null;
  }
  const dot = name.indexOf(".");
  if (dot > 0 && isTokenOf(id, name.slice(0, dot)) && JOB_FILE_SUFFIX.test(name.slice(dot))) {
    if (files ? dir === files.jobsDir : basename(dir) === "jobs") return null;
    if (agent !== undefined && NAME.test(agent) && isResultsDir(dir, agent, files)) return null;
    return "not in the home's jobs folder or the agent's results folder";
  }
  return `not a file of task ${id}`;
}

function isResultsDir(dir: string, agent: string, files?: RecordFiles): boolean {
  if (files) return dir === join(files.agentsDir, agent, "results");
  return basename(dir) === "results" && basename(dirname(dir)) === agent && basename(dirname(dirname(dir))) === "agents";
}

function show(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
