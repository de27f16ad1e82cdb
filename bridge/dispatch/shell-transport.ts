import { existsSync, statfsSync } from "node:fs";
import { dirname, join } from "node:path";
import { InfraError, type AgentConfig, type Redactor, type SpareFiles, type TaskRecord } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import {
  agentJobFiles,
  inspectDispatch,
  policyFile,
  readNonce,
  runsFromFile,
  scriptFile,
  withdrawDispatch,
  writeDispatch,
  type Adopted,
  type DispatchState,
  type EndedTurn,
  type Found,
  type Interrupted,
  type PreparedTurn,
  type RunningTurn,
  type ShellMarker,
  type Transport,
  type TurnSpec,
} from "../../agents/index.js";
import { WaitTimeout, type AgentSession } from "../sessions/index.js";
import type { ExposedPath, Sandboxes } from "../sandbox.js";
import type { ProgramJobs } from "./program-jobs.js";

/** The exit status of a command killed by SIGINT (128 + 2), as bash reports it. */
const SIGINT_EXIT = 130;

export interface ShellTransportDeps {
  readonly agents: ReadonlyMap<string, AgentConfig>;
  readonly jobsDir: string;
  readonly outputDir: string;
  /** Emptied files a dispatch's `.job` is made from, instead of a new file (core/spare-files.ts). */
  readonly spares?: SpareFiles;
  readonly programs: ProgramJobs;
  readonly sandboxes: Sandboxes;
  /** Cleans secrets out of what the pane shows of a task (its `.preview`); the `.sh` and prompt stay raw. */
  readonly redact: Redactor;
  readonly log: BridgeLog;
}

/** How long the pane may take to confirm that a typed dispatch started. */
const BEGIN_TIMEOUT_MS = 5000;

/**
 * The shell pane protocol (ARCHITECTURE.md, "How a shell job runs"): a
 * dispatch is files in `jobs/` and one line of ours, ` ca-run <token>`, typed
 * into the pane's shell; begin and end markers carrying the dispatch's nonce
 * come back on the control-mode stream, the exit code from the end line ca-run
 * appends to its `.claim` file.
 * Headless programs are this transport too, with their adapter's script
 * (program-jobs.ts) and the report parsed from their events file.
 */
/** A shell dispatch ready to type: the line of ours that starts it. */
interface ShellPrepared extends PreparedTurn {
  readonly marker: { readonly token: string; readonly nonce: string };
  readonly line: string;
}

export class ShellTransport implements Transport<AgentSession, ShellPrepared> {
  constructor(private readonly deps: ShellTransportDeps) {}

  outputFile(spec: TurnSpec): string | null {
    // A retry's pane output goes to a file of its own, appended to the task's output when it settles (settle.ts).
    return spec.retry ? null : this.outputOf(spec);
  }

  async prepare(spec: TurnSpec, session: AgentSession): Promise<ShellPrepared> {
    const { record, token, retry } = spec;
    const prepared = await this.deps.programs.prepare({ ...record, task: spec.text, ...(retry ? { fresh: false } : {}) }, session.name, token);
    const header = retry
      ? `\x1b[2m── task ${record.id}: its gate failed, the agent tries again ──\x1b[0m`
      : `\x1b[2m── task ${record.id} (attempt ${record.attempts}) ──\x1b[0m`;
    // [issue 11, workflow values] A shell task's own variables go with its dispatch; an agent program's prompt is its text.
    const env = record.env !== undefined && !retry && !this.deps.programs.adapter(record.agent).structured ? { env: record.env } : {};
    const job = writeDispatch(this.deps.jobsDir, {
      token,
      task: prepared.script,
      outputFile: this.outputOf(spec),
      header,
      preview: this.deps.redact(prepared.preview),
      ...env,
      sandbox: this.sandboxFor(record.agent, session.name, token, runsFromFile(prepared.script)),
      ...(this.deps.spares ? { spares: this.deps.spares } : {}),
    });
    return { prompt: prepared.prompt, marker: { token, nonce: job.nonce }, line: job.line };
  }

  /**
   * Types the dispatch's line and waits for its begin marker. A dispatch that
   * does not start is withdrawn and reported as an infrastructure failure,
   * unless the pane claimed it just as we gave up: then it is running.
   */
  async start(spec: TurnSpec, prepared: ShellPrepared, session: AgentSession): Promise<RunningTurn> {
    const { token } = spec;
    const nonce = prepared.marker.nonce;
    const isOurs = (m: ShellMarker) => m.kind !== "prompt" && m.token === token && m.nonce === nonce;
    const begin = session.waitFor((m) => m.kind === "begin" && isOurs(m), { timeoutMs: BEGIN_TIMEOUT_MS });
    const files = new LastLook();
    const end = session.waitFor((m) => m.kind === "end" && isOurs(m) && this.ranToItsEnd(session, token, m, files));
    end.catch(() => undefined); // observed by the lifecycle's race; a start that fails abandons it
    try {
      await session.type(prepared.line, { clearLine: true });
      await begin;
    } catch (error) {
      begin.catch(() => undefined); // already failed or superseded by the error handled here
      if (!(error instanceof WaitTimeout) || withdrawDispatch(this.deps.jobsDir, token)) {
        const what = spec.retry ? "its gate retry" : "it";
        throw new InfraError(`task ${spec.record.id}: ${what} was typed into ${session.name} but did not start`, {
          cause: error,
          context: { session: session.name },
        });
      }
    }
    return this.running(spec.record, session.name, token, end, files);
  }

  inspect(record: TaskRecord): Found {
    const token = record.dispatch!;
    let state = inspectDispatch(this.deps.jobsDir, token);
    if (state.kind === "not-started" && !withdrawDispatch(this.deps.jobsDir, token)) state = { kind: "running" };
    if (state.kind === "finished") return { kind: "ended", ended: this.ended(record, record.session, token, state) };
    return state.kind === "running" ? { kind: "running" } : { kind: "lost" };
  }

  async adopt(record: TaskRecord, session: AgentSession): Promise<Adopted> {
    const token = record.dispatch!;
    const nonce = readNonce(this.deps.jobsDir, token) ?? "";
    const files = new LastLook();
    const end = session.waitFor((m) => m.kind === "end" && m.token === token && m.nonce === nonce && this.ranToItsEnd(session, token, m, files));
    // The command may have ended between the look at its files and the subscription.
    const again = inspectDispatch(this.deps.jobsDir, token);
    if (again.kind === "finished") {
      end.catch(() => undefined); // not needed: the exit file says how it ended
      return { kind: "ended", ended: this.ended(record, session.name, token, again), marker: { token, nonce } };
    }
    return { kind: "running", turn: this.running(record, session.name, token, end, files), startedAt: null, marker: { token, nonce } };
  }

  async interrupt(spec: TurnSpec, _turn: RunningTurn, session: AgentSession): Promise<Interrupted> {
    const usable = await session.interrupt();
    const state = inspectDispatch(this.deps.jobsDir, spec.token);
    // An end with 130 (128 + SIGINT) is our own Ctrl-C's doing, not an end of its own: when the Ctrl-C reached
    // the command before the pane's shell, the shell went on to record that end. Counted as such, a task
    // cancelled just after it started was recorded failed (exit 130) instead of cancelled (a fresh-clone CI run).
    const ownEnd = state.kind === "finished" && state.exitCode !== SIGINT_EXIT;
    return {
      ended: ownEnd ? this.ended(spec.record, session.name, spec.token, state) : null,
      stuck: usable
        ? null
        : { note: "it ignored Ctrl-C, so its session was restarted", recycle: "the pane did not return to its prompt after Ctrl-C", killed: true },
    };
  }

  private running(record: TaskRecord, session: string, token: string, end: Promise<ShellMarker>, files: LastLook): RunningTurn {
    return {
      end: end.then((marker) => {
        // The exit code is ca-run's artifact; the marker only says when to read it (ranToItsEnd, which read it).
        const exited = files.finished() ?? inspectDispatch(this.deps.jobsDir, token);
        return this.ended(record, session, token, exited.kind === "finished" ? exited : marker.kind === "end" ? marker : { exitCode: -1, outputSaved: false });
      }),
      // What an agent program reported before the interrupt (its conversation id, tokens so far).
      partial: async () => (await this.deps.programs.finish(record, session, token, null))?.fields ?? {},
      dispose: () => undefined,
    };
  }

  /** A dispatch that ran to its end: its exit code and what an agent program reported. */
  private ended(record: TaskRecord, session: string | null, token: string, exited: { exitCode: number; outputSaved: boolean }): EndedTurn {
    return {
      report: async () => {
        const { exitCode } = exited;
        const program = await this.deps.programs.finish(record, session, token, exitCode);
        const fields: Record<string, string | number> = { ...program?.fields };
        if (!exited.outputSaved) {
          const lost = outputLoss(record.outputFile ?? join(this.deps.outputDir, `${record.id}.log`));
          this.deps.log("job.output-incomplete", { taskId: record.id, error: lost });
          fields.outputError = lost;
        }
        const status = program?.status ?? (exitCode === 0 ? "completed" : "failed");
        return { status, exitCode, reason: program?.reason, fields, rateLimited: program?.rateLimited };
      },
    };
  }

  /**
   * Whether an end marker carrying the dispatch's nonce was printed by ca-run
   * at the end of its run, rather than by a task that read the nonce (only an
   * unsandboxed task can: a sandbox hides the job files). ca-run writes the
   * exit artifact first and prints the marker from the shell itself, which
   * holds its terminal again by then; a task printing it runs in front of the
   * shell. Without an artifact (ca-run could not write it: a full disk) the
   * marker's code is used.
   */
  private ranToItsEnd(session: AgentSession, token: string, marker: ShellMarker & { kind: "end" }, files: LastLook): boolean {
    if (session.shellInForeground() === false) {
      this.deps.log("job.end-marker-refused", { session: session.name, dispatch: token, why: "the pane's shell is not in the foreground: a task printed it" });
      return false;
    }
    const state = files.saw(inspectDispatch(this.deps.jobsDir, token));
    if (state.kind === "finished" && state.exitCode !== marker.exitCode) {
      this.deps.log("job.end-marker-mismatch", { session: session.name, dispatch: token, marker: marker.exitCode, artifact: state.exitCode });
    }
    return true;
  }

  private outputOf(spec: TurnSpec): string {
    return spec.retry ? join(this.deps.jobsDir, `${spec.token}.out`) : join(this.deps.outputDir, `${spec.record.id}.log`);
  }

  /** The `bwrap … --` argv of a dispatch of a sandboxed agent (null: unsandboxed), with the dispatch's own files bound in. */
  private sandboxFor(agentName: string, session: string, token: string, fromFile: boolean): string[] | null {
    const agent = this.deps.agents.get(agentName);
    if (!agent) return null;
    // A short task is an argument of `bash -c`; a long one runs from its file, which the sandbox shows read-only.
    const files: ExposedPath[] = fromFile ? [{ path: scriptFile(this.deps.jobsDir, token), writable: false }] : [];
    if (this.deps.programs.adapter(agentName).structured) {
      const { promptFile, eventsFile } = agentJobFiles(this.deps.jobsDir, token);
      files.push({ path: promptFile, writable: false }, { path: eventsFile, writable: true });
      // The program's policy hook settings (ProgramJobs.prepare wrote them): read, never changed, by the task.
      const settings = policyFile(this.deps.jobsDir, token);
      if (existsSync(settings)) files.push({ path: settings, writable: false });
    }
    return this.deps.sandboxes.forTask(agent, session, files);
  }
}

/**
 * A dispatch's files as the check of its end marker read them: an ending read there is the ending (ca-run
 * writes it before it prints the marker, and writes nothing after), so the turn's end need not read them again.
 */
class LastLook {
  private state: DispatchState | null = null;

  saw(state: DispatchState): DispatchState {
    this.state = state;
    return state;
  }

  finished(): (DispatchState & { kind: "finished" }) | null {
    return this.state?.kind === "finished" ? this.state : null;
  }
}

/** Why a finished dispatch's output file is incomplete (tee could not write all of it), as its result says it. */
function outputLoss(outputFile: string): string {
  const dir = dirname(outputFile);
  let free: string;
  try {
    const disk = statfsSync(dir);
    free =
      disk.bavail === 0 ? `: no space left on the disk of ${dir}` : ` (${Math.round((disk.bavail * disk.bsize) / 1024)} KB free on the disk of ${dir} now)`;
  } catch {
    free = ` (${dir} cannot be examined)`;
  }
  return `the output could not be saved in full${free}; the recorded output stops where writing failed, the exit code is the command's`;
}
