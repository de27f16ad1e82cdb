import { statfsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Redis } from "ioredis";
import { InfraError, isTerminal, type AgentConfig, type Ledger, type Redactor, type TaskRecord, type TerminalStatus } from "../core/index.js";
import { agentJobFiles, inspectDispatch, readNonce, removeTaskDispatches, scriptFile, withdrawDispatch, writeDispatch, type Dispatch, type ShellMarker } from "../agents/index.js";
import { jobDeadline } from "./deadline.js";
import { AgentJobs, type PromptContext } from "./agent-jobs.js";
import { WaitTimeout, type AgentSession } from "./sessions/index.js";
import { ConversationStore } from "./conversations.js";
import type { InteractiveClaude } from "./interactive.js";
import { InteractiveRunner } from "./interactive-runner.js";
import { JobChanges } from "./job-changes.js";
import { JobCompletion } from "./job-completion.js";
import { readOutputForResult } from "./output.js";
import type { Parking } from "./admission/index.js";
import { dispatchVerdict } from "./policy-check.js";
import type { FlightRecorder } from "./flight-recorder.js";
import type { ExposedPath, Sandboxes } from "./sandbox.js";
import type { SessionPool } from "./sessions/index.js";
import type { SessionStates as SessionRegistry } from "./sessions/index.js";
import { Worktrees } from "./worktrees.js";

/** tuning.ts maxDispatches. */
const DEFAULT_MAX_DISPATCHES = 4;
/** How long the pane may take to confirm that a typed job started. */
const BEGIN_TIMEOUT_MS = 5000;
/** How long a retry waits for a session that went down to come back before deciding its run died with the pane. */
const REATTACH_WAIT_MS = 5000;

export interface RunnerDeps {
  readonly ledger: Ledger;
  readonly registry: SessionRegistry;
  readonly pools: ReadonlyMap<string, SessionPool>;
  readonly jobsDir: string;
  readonly outputDir: string;
  readonly log: (event: string, data: Record<string, unknown>) => void;
  /** Replaces a session whose pane no longer obeys Ctrl-C (its program ignores it); without it the session is only marked down. */
  readonly recycle?: (session: AgentSession, reason: string) => Promise<void>;
  /** The agents' configs, for agent programs (runtime other than shell); without it every task runs as shell. */
  readonly agents?: { readonly config: readonly AgentConfig[]; readonly home: string; readonly redis: Redis; readonly promptContext?: PromptContext };
  /** The replicas' git worktrees (agents with `worktree: true`). */
  readonly worktrees?: Worktrees;
  /** Rate-limited agents' queues: a job waits while its agent is parked. */
  readonly parking?: Parking;
  /** Interactive Claude sessions (`mode: interactive`): their tasks run through InteractiveRunner. */
  readonly interactive?: InteractiveClaude;
  /** After this many dispatches a task is not started again (tuning.ts maxDispatches); default 4. */
  readonly maxDispatches?: number;
  /** Cleans secrets out of what the pane shows of a task (its `.preview`); the `.sh` and prompt stay raw. */
  readonly redact?: Redactor;
  /** The agents' sandboxes (`sandbox: bwrap`); without it every task runs unsandboxed. */
  readonly sandboxes?: Sandboxes;
  /** The environment an agent's gates run with (agent-env.ts); default: this process's, without the swarm's variables, plus the agent's `env`. */
  readonly agentEnv?: (agent: AgentConfig) => Record<string, string>;
  /** Records each task's pane as asciicast (flight-recorder.ts); without it nothing is recorded. */
  readonly recorder?: FlightRecorder;
}

/** Why a task whose stored text is redacted cannot run: the raw copy kept apart is gone. */
const RAW_TEXT_GONE = "its text held secrets, so the record keeps it redacted and the raw text apart; that copy is gone (its submitter stopped between writing the two), so it was not run: submit it again";

class Cancelled extends Error {}

/**
 * Runs tasks in shell panes, idempotently by task id: whatever a previous
 * bridge left behind (a finished command, one still running in its pane, a
 * dispatch never started) is found from the dispatch files and finished,
 * adopted or withdrawn, never run a second time.
 */
export class JobRunner {
  private readonly inflight = new Map<string, { promise: Promise<void>; controller: AbortController }>();
  private readonly agentJobs: AgentJobs;
  private readonly completion: JobCompletion;
  private readonly interactive: InteractiveRunner | null;

  constructor(private readonly deps: RunnerDeps) {
    this.agentJobs = new AgentJobs({
      agents: deps.agents?.config ?? [],
      home: deps.agents?.home ?? "",
      jobsDir: deps.jobsDir,
      conversations: deps.agents ? new ConversationStore(deps.agents.redis, deps.ledger.keys) : null,
      promptContext: deps.agents?.promptContext,
    });
    const worktrees = deps.worktrees ?? new Worktrees(deps.agents?.home ?? "");
    this.completion = new JobCompletion({
      agents: deps.agents?.config ?? [],
      home: deps.agents?.home ?? "",
      jobsDir: deps.jobsDir,
      outputDir: deps.outputDir,
      ledger: deps.ledger,
      agentJobs: this.agentJobs,
      worktrees,
      changes: new JobChanges(deps.jobsDir, worktrees),
      log: deps.log,
      onRateLimited: deps.parking ? (agent, resetAt) => deps.parking!.park(agent, resetAt) : undefined,
      sandboxes: deps.sandboxes,
      agentEnv: deps.agentEnv,
    });
    this.interactive = deps.interactive && deps.agents
      ? new InteractiveRunner({
          ledger: deps.ledger,
          registry: deps.registry,
          claude: deps.interactive,
          conversations: new ConversationStore(deps.agents.redis, deps.ledger.keys),
          jobsDir: deps.jobsDir,
          log: deps.log,
          recycle: deps.recycle,
          finish: (...args) => this.finish(...args),
          completion: this.completion,
          recorder: deps.recorder,
          redact: deps.redact,
        })
      : null;
  }

  get active(): number {
    return this.inflight.size;
  }

  private redact(text: string): string {
    return this.deps.redact ? this.deps.redact(text) : text;
  }

  run(taskId: string): Promise<void> {
    const existing = this.inflight.get(taskId);
    if (existing) return existing.promise;
    const controller = new AbortController();
    const promise = this.execute(taskId, controller.signal).finally(() => {
      this.inflight.delete(taskId);
      // Ended, handed back to BullMQ for a retry, or left to a later bridge: either way this run's recording stops.
      return this.deps.recorder?.stop(taskId);
    });
    this.inflight.set(taskId, { promise, controller });
    return promise;
  }

  cancel(taskId: string): boolean {
    const entry = this.inflight.get(taskId);
    if (!entry) return false;
    entry.controller.abort(new Cancelled("cancelled"));
    return true;
  }

  private async execute(taskId: string, signal: AbortSignal): Promise<void> {
    const { ledger } = this.deps;
    const record = await ledger.get(taskId);
    if (!record) return this.deps.log("job.unknown-task", { taskId });
    if (isTerminal(record.status)) return;
    if (record.cancelRequested) return void (await this.finish(record, null, "cancelled", null, "cancelled before it started"));
    const pool = this.deps.pools.get(record.agent);
    if (!pool) return void (await this.finish(record, null, "failed", null, `agent "${record.agent}" is not served by this bridge's config`));

    if (record.dispatch) {
      const resumed = await this.resume(record, pool, signal);
      if (resumed) return;
    }
    // Every dispatch is counted before it is typed; runs that died with their pane or bridge are not
    // retried forever: a task that kills whatever runs it would otherwise loop (BullMQ would only stop
    // it after 20 stalls, silently).
    const limit = this.deps.maxDispatches ?? DEFAULT_MAX_DISPATCHES;
    if (record.attempts >= limit) {
      const reason = `its run was lost ${record.attempts} times (each time the pane or the bridge running it died before it ended), so it is not started again: the task itself may be what kills them`;
      this.deps.log("job.dispatch-limit", { taskId: record.id, attempts: record.attempts });
      return void (await this.finish(record, record.session, "failed", null, reason));
    }

    const text = await ledger.taskText(record);
    if (text === null) return void (await this.finish(record, null, "failed", null, RAW_TEXT_GONE));
    // The submitting client checked the policy, but a job can be written into Redis by anyone who reaches it:
    // what reaches a pane is checked here, against this bridge's config, before every dispatch.
    const refused = await dispatchVerdict({ ...record, task: text }, this.agentConfig(record.agent));
    if (refused) {
      this.deps.log("job.refused", { taskId: record.id, agent: record.agent, rule: refused.rule });
      return void (await this.finish(record, null, "failed", null, refused.reason));
    }
    let session: AgentSession;
    try {
      await this.deps.parking?.wait(record.agent, signal);
      session = await pool.acquire(taskId, signal);
    } catch (error) {
      if (error instanceof Cancelled) return void (await this.finish(record, null, "cancelled", null, "cancelled while waiting for a session"));
      throw error;
    }
    try {
      await this.dispatch(record, session, signal, text);
    } finally {
      pool.release(session);
      await this.deps.registry.publish(session);
    }
  }

  /** Handles a task some earlier attempt dispatched. Returns true when nothing more is to be done. */
  private async resume(record: TaskRecord, pool: SessionPool, signal: AbortSignal): Promise<boolean> {
    if (this.interactive?.handles(record.agent)) return this.interactive.resume(record, pool, signal);
    const token = record.dispatch!;
    let state = inspectDispatch(this.deps.jobsDir, token);
    if (state.kind === "not-started" && !withdrawDispatch(this.deps.jobsDir, token)) state = { kind: "running" };
    if (state.kind === "finished") {
      await this.finishExited(record, record.session, token, state);
      return true;
    }
    if (state.kind !== "running") return false;
    const session = record.session ? await comeBack(pool.get(record.session)) : undefined;
    if (!session || session.state === "down" || !session.ref || paneKey(session) !== record.pane) {
      // The run died with its pane (no exit file was written): dispatch it again, as a new attempt, on
      // whichever session comes up. Throwing here instead failed every retry the same way.
      this.deps.log("job.lost-with-pane", { taskId: record.id, session: record.session, dispatch: token });
      return false;
    }
    this.deps.log("job.adopted", { taskId: record.id, session: session.name });
    pool.occupy(session, record.id);
    await this.deps.registry.publish(session);
    try {
      const nonce = readNonce(this.deps.jobsDir, token) ?? "";
      await this.deps.recorder?.start(record, session, "", { token, nonce }, "adopted by a restarted bridge: the output in between was not recorded");
      const startedAt = record.startedAt ? Date.parse(record.startedAt) : Date.now();
      const end = session.waitFor((m) => m.kind === "end" && m.token === token && m.nonce === nonce && this.ranToItsEnd(session, token, m));
      // The command may have ended between our look at the files and the subscription.
      const again = inspectDispatch(this.deps.jobsDir, token);
      if (again.kind === "finished") {
        end.catch(() => undefined);
        await this.finishExited(record, session.name, token, again);
      } else {
        await this.watch(record, session, token, end, startedAt, signal);
      }
    } finally {
      pool.release(session);
      await this.deps.registry.publish(session);
    }
    return true;
  }

  /** `text` is the task text to run (raw); `record.task`, the redacted copy, is what is shown and stored. */
  private async dispatch(record: TaskRecord, session: AgentSession, signal: AbortSignal, text: string): Promise<void> {
    if (this.interactive?.handles(record.agent)) return this.interactive.dispatch(record, session, signal, text);
    const attempt = record.attempts + 1;
    const token = `${record.id}-${attempt}`;
    const outputFile = join(this.deps.outputDir, `${record.id}.log`);
    const castFile = this.deps.recorder?.castFile(record.id);
    // Write-ahead: a bridge that dies after this line finds the dispatch on restart.
    await this.deps.ledger.update(record.id, { dispatch: token, session: session.name, pane: paneKey(session), attempts: attempt, outputFile, castFile });
    await this.deps.registry.publish(session);
    const header = `\x1b[2m── task ${record.id} (attempt ${attempt}) ──\x1b[0m`;
    await this.completion.before(record, session.name);
    const prepared = await this.agentJobs.prepare({ ...record, task: text }, session.name, token);
    // [issue 11, workflow values] A shell task's own variables go with its dispatch; an agent program's prompt is its text.
    const env = record.env !== undefined && !this.agentJobs.adapter(record.agent).structured ? { env: record.env } : {};
    const sandbox = this.sandboxFor(record.agent, session.name, token);
    const job = writeDispatch(this.deps.jobsDir, { token, task: prepared.script, outputFile, header, preview: this.redact(prepared.preview), ...env, sandbox });
    await this.deps.recorder?.start(record, session, this.redact(prepared.prompt), job, attempt > 1 ? `attempt ${attempt}` : undefined);
    const { end } = await this.typeAndConfirm(record.id, session, token, job, "it");
    const startedAt = Date.now();
    await this.deps.ledger.update(
      record.id,
      { status: "running", startedAt: new Date(startedAt).toISOString(), session: session.name },
      { type: "task.started", data: { agent: record.agent, session: session.name, status: "running" } },
    );
    await this.watch({ ...record, outputFile, attempts: attempt }, session, token, end, startedAt, signal);
  }

  /** Waits for the end marker, the time limit, a cancel or the pane's death, and records the outcome. */
  private async watch(record: TaskRecord, session: AgentSession, token: string, end: Promise<ShellMarker>, startedAt: number, signal: AbortSignal): Promise<void> {
    const deadline = jobDeadline(record.timeoutSec, startedAt, signal);
    try {
      const outcome = await Promise.race([end, deadline.reached]);
      if (typeof outcome !== "string" && outcome.kind === "end") {
        // The exit code is ca-run's artifact; the marker only says when to read it (ranToItsEnd).
        const exited = inspectDispatch(this.deps.jobsDir, token);
        await this.finishExited(record, session.name, token, exited.kind === "finished" ? exited : outcome);
        return;
      }
      const status = outcome as "timeout" | "cancelled";
      const usable = await session.interrupt();
      const exitCode = inspectDispatch(this.deps.jobsDir, token);
      if (exitCode.kind === "finished") {
        // It ended on its own just as we interrupted it: that is its real outcome.
        await this.finishExited(record, session.name, token, exitCode);
      } else {
        const stuck = usable ? "" : "; it ignored Ctrl-C, so its session was restarted";
        const reason = status === "timeout" ? `exceeded its time limit of ${record.timeoutSec}s and ${usable ? "was interrupted" : "was killed"}${stuck}` : `cancelled while running${stuck}`;
        // What an agent program reported before the interrupt (its conversation id, tokens so far) is kept.
        const partial = await this.agentJobs.finish(record, session.name, token, null);
        const changes = await this.completion.interrupted(record, session.name);
        await this.finish(record, session.name, status, null, reason, { ...partial?.fields, ...changes });
      }
      if (!usable) {
        // Left as it is, the session would stay down for good and its agent would take no more tasks.
        const why = "the pane did not return to its prompt after Ctrl-C";
        if (this.deps.recycle) await this.deps.recycle(session, why);
        else session.markDown(why);
      }
    } finally {
      deadline.dispose();
    }
  }

  /**
   * A dispatch that ran to its end: its exit code, what an agent program
   * reported, its gate and its worktree changes (job-completion.ts). A
   * failing gate may send the agent back to work: a follow-up dispatch.
   */
  private async finishExited(record: TaskRecord, session: string | null, token: string, exited: { exitCode: number; outputSaved: boolean }): Promise<void> {
    const { exitCode } = exited;
    const held = session ? this.deps.pools.get(record.agent)?.get(session) : undefined;
    const signal = this.inflight.get(record.id)?.controller.signal;
    const canRetry = held !== undefined && held.currentTask === record.id && held.state === "busy";
    const settled = await this.completion.settle(record, session, token, exitCode, { canRetry, signal });
    if (settled.kind === "retry" && held) return this.followUp(record, held, settled, signal ?? new AbortController().signal);
    if (settled.kind !== "final") return;
    const lost = exited.outputSaved ? null : outputLoss(record.outputFile ?? join(this.deps.outputDir, `${record.id}.log`));
    if (lost) this.deps.log("job.output-incomplete", { taskId: record.id, error: lost });
    await this.finish(record, session, settled.status, settled.exitCode, settled.reason, lost ? { ...settled.fields, outputError: lost } : settled.fields);
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
  private ranToItsEnd(session: AgentSession, token: string, marker: ShellMarker & { kind: "end" }): boolean {
    if (session.shellInForeground() === false) {
      this.deps.log("job.end-marker-refused", { session: session.name, dispatch: token, why: "the pane's shell is not in the foreground: a task printed it" });
      return false;
    }
    const state = inspectDispatch(this.deps.jobsDir, token);
    if (state.kind === "finished" && state.exitCode !== marker.exitCode) {
      this.deps.log("job.end-marker-mismatch", { session: session.name, dispatch: token, marker: marker.exitCode, artifact: state.exitCode });
    }
    return true;
  }

  /** The `bwrap … --` argv of a dispatch of a sandboxed agent (null: unsandboxed), with the dispatch's own files bound in. */
  private sandboxFor(agentName: string, session: string, token: string): string[] | null {
    const agent = this.agentConfig(agentName);
    if (!agent || !this.deps.sandboxes) return null;
    const files: ExposedPath[] = [{ path: scriptFile(this.deps.jobsDir, token), writable: false }];
    if (this.agentJobs.adapter(agentName).structured) {
      const { promptFile, eventsFile } = agentJobFiles(this.deps.jobsDir, token);
      files.push({ path: promptFile, writable: false }, { path: eventsFile, writable: true });
    }
    return this.deps.sandboxes.forTask(agent, session, files);
  }

  private agentConfig(name: string): AgentConfig | undefined {
    return this.deps.agents?.config.find((agent) => agent.name === name);
  }

  /**
   * Types a dispatch's line and waits for its begin marker. Returns the promise
   * of its end marker (subscribed before typing, so it cannot be missed). A
   * dispatch that does not start is withdrawn and reported as an infrastructure
   * failure, unless the pane claimed it just as we gave up: then it is running.
   */
  private async typeAndConfirm(taskId: string, session: AgentSession, token: string, job: Dispatch, what: string): Promise<{ end: Promise<ShellMarker> }> {
    const isOurs = (m: ShellMarker) => m.kind !== "prompt" && m.token === token && m.nonce === job.nonce;
    const begin = session.waitFor((m) => m.kind === "begin" && isOurs(m), { timeoutMs: BEGIN_TIMEOUT_MS });
    const end = session.waitFor((m) => m.kind === "end" && isOurs(m) && this.ranToItsEnd(session, token, m));
    end.catch(() => undefined);
    try {
      await session.type(job.line);
      await begin;
    } catch (error) {
      begin.catch(() => undefined);
      if (!(error instanceof WaitTimeout) || withdrawDispatch(this.deps.jobsDir, token)) {
        throw new InfraError(`task ${taskId}: ${what} was typed into ${session.name} but did not start`, { cause: error, context: { session: session.name } });
      }
    }
    return { end };
  }

  private async followUp(record: TaskRecord, session: AgentSession, retry: { token: string; prompt: string; outputFile: string }, signal: AbortSignal): Promise<void> {
    await this.deps.ledger.update(record.id, { dispatch: retry.token, pane: paneKey(session) });
    const prepared = await this.agentJobs.prepare({ ...record, task: retry.prompt, fresh: false }, session.name, retry.token);
    const header = `\x1b[2m── task ${record.id}: its gate failed, the agent tries again ──\x1b[0m`;
    const sandbox = this.sandboxFor(record.agent, session.name, retry.token);
    const job = writeDispatch(this.deps.jobsDir, { token: retry.token, task: prepared.script, outputFile: retry.outputFile, header, preview: this.redact(prepared.preview), sandbox });
    await this.deps.recorder?.start(record, session, this.redact(prepared.prompt), job, "its gate failed: the agent tries again");
    const { end } = await this.typeAndConfirm(record.id, session, retry.token, job, "its gate retry");
    const current = await this.deps.ledger.get(record.id);
    const startedAt = current?.startedAt ? Date.parse(current.startedAt) : Date.now();
    await this.watch(record, session, retry.token, end, startedAt, signal);
  }

  private async finish(
    record: TaskRecord,
    session: string | null,
    status: TerminalStatus,
    exitCode: number | null,
    reason?: string,
    extra: Readonly<Record<string, string | number>> = {},
  ): Promise<void> {
    const finishedAt = Date.now();
    await this.deps.recorder?.stop(record.id, `${status}${exitCode === null ? "" : ` (exit ${exitCode})`}${reason ? `: ${this.redact(reason)}` : ""}`);
    const current = (await this.deps.ledger.get(record.id)) ?? record;
    const startedAt = current.startedAt ? Date.parse(current.startedAt) : null;
    const outputFile = current.outputFile;
    const recorded = await this.deps.ledger.finish(
      record.id,
      status,
      {
        session: session ?? current.session ?? "",
        exitCode,
        output: outputFile ? readOutputForResult(outputFile) : "",
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: startedAt === null ? null : finishedAt - startedAt,
        reason: reason ?? "",
        ...extra,
      },
      record.agent,
    );
    // Ended (now or before): its dispatch files, which hold the raw text, are not needed again.
    removeTaskDispatches(this.deps.jobsDir, record.id);
    if (!recorded) return;
    const owner = session ? this.deps.pools.get(record.agent)?.get(session) : undefined;
    owner?.recordResult(status);
    this.deps.log("job.finished", { taskId: record.id, status, exitCode, session });
  }
}

export { Cancelled };

/**
 * A session marked down is restarted within a second or so; when only our tmux control client died,
 * it comes back with the same pane, still running the job. Deciding before that would run the job twice.
 */
async function comeBack(session: AgentSession | undefined): Promise<AgentSession | undefined> {
  const deadline = Date.now() + REATTACH_WAIT_MS;
  while (session && (session.state === "down" || !session.ref) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return session;
}

function paneKey(session: AgentSession): string {
  return session.ref ? `${session.ref.paneId}:${session.ref.panePid}` : "";
}

/** Why a finished dispatch's output file is incomplete (tee could not write all of it), as its result says it. */
function outputLoss(outputFile: string): string {
  const dir = dirname(outputFile);
  let free: string;
  try {
    const disk = statfsSync(dir);
    free = disk.bavail === 0 ? `: no space left on the disk of ${dir}` : ` (${Math.round((disk.bavail * disk.bsize) / 1024)} KB free on the disk of ${dir} now)`;
  } catch {
    free = ` (${dir} cannot be examined)`;
  }
  return `the output could not be saved in full${free}; the recorded output stops where writing failed, the exit code is the command's`;
}
