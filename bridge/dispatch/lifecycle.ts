import { DispatchFencedError, type Redactor, type TaskRecord } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import { PaneUnusable, type EndedTurn, type Interrupted, type RunningTurn, type ToolCall, type Transport, type TurnSpec } from "../../agents/index.js";
import type { AgentSession } from "../sessions/index.js";
import type { FlightRecorder } from "../flight-recorder.js";
import type { SessionStates } from "../sessions/index.js";
import { jobDeadline } from "./deadline.js";
import type { Settle } from "./settle.js";
import type { TaskRecords } from "./task-records.js";

export interface LifecycleDeps {
  readonly records: TaskRecords;
  readonly settle: Settle;
  readonly registry: SessionStates;
  readonly recorder: FlightRecorder | null;
  readonly redact: Redactor;
  readonly log: BridgeLog;
  /** Frees a session this task holds for the next task, returning it to publish; null once it holds another. */
  readonly free: (session: AgentSession, taskId: string) => AgentSession | null;
  /** Restarts a session whose pane is no longer fit for a task (it ignores its interrupt). */
  readonly recycle: (session: AgentSession, reason: string) => Promise<void>;
  /** Agents with `accounts:`: the account a dispatch into `session` runs with (bridge/accounts.ts); null without. */
  readonly accountFor: (agent: string, session: AgentSession) => Promise<string | null>;
  /** How often a running dispatch checks its fence (default 2 s). */
  readonly fenceCheckMs?: number;
  /** Puts the tools a turn called in the audit log, when its transport reports them (a transport that follows a program's tool calls). */
  readonly toolCalls?: (record: TaskRecord, session: string | null, calls: readonly ToolCall[], dropped: number) => Promise<void>;
}

/** How a followed task ended here: recorded, or to run again from the start on another account (its usage limit). */
export type Followed = "recorded" | "rerun";

/** Where a followed turn stands: running (since `startedAt`), or already ended. */
export type TurnState = { readonly turn: RunningTurn; readonly startedAt: number } | { readonly ended: EndedTurn };

const GATE_RETRY_NOTE = "its gate failed: the agent tries again";
/** How often a running dispatch checks that it is still its task's current one (watchFence). */
const FENCE_CHECK_MS = 2000;

/**
 * The one dispatch lifecycle, the same for every transport:
 *
 *   record the dispatch (write-ahead) → start it → confirm it started → race
 *   its end, the deadline, a cancel and the pane's death → interrupt → settle
 *   (the program's report, the gate, the worktree's changes, the commit,
 *   parking) → record the terminal state, or go round again as a further
 *   turn when the gate sends the agent back to work.
 *
 * A retry's token carries its count (`<task>-<attempt>-g<n>`), so a bridge
 * that restarts mid-retry settles it exactly as this one would.
 */
export class Lifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** A task's next dispatch into `session`, which the caller holds until this returns. */
  async dispatch(transport: Transport<AgentSession>, record: TaskRecord, session: AgentSession, text: string, signal: AbortSignal): Promise<Followed> {
    const attempt = record.attempts + 1;
    const token = `${record.id}-${attempt}`;
    const account = (await this.deps.accountFor(record.agent, session)) ?? undefined;
    const first: TurnSpec = { record: { ...record, attempts: attempt, ...(account ? { account } : {}) }, text, token, retry: false };
    const outputFile = transport.outputFile(first) ?? undefined;
    // The turn's record as the write-ahead leaves it: the program's report reads its output file (a shell's prose hint).
    const spec: TurnSpec = { ...first, record: { ...first.record, dispatch: token, session: session.name, outputFile: outputFile ?? record.outputFile } };
    const castFile = this.deps.recorder?.castFile(record);
    // Both must be in Redis before the text is typed; neither depends on the other, so one round trip.
    await Promise.all([
      this.deps.records.writeAhead(
        record.id,
        {
          dispatch: token,
          session: session.name,
          pane: session.paneKey,
          attempts: attempt,
          outputFile,
          castFile,
          account,
        },
        record.attempts,
      ),
      this.deps.registry.publish(session),
    ]);
    await this.deps.settle.before(record, session.name);
    const turn = await this.start(transport, spec, session, attempt > 1 ? `attempt ${attempt}` : undefined);
    const startedAt = Date.now();
    try {
      await this.deps.records.started(spec.record, session.name, startedAt);
    } catch (error) {
      // Another dispatch was counted between the write-ahead and here: this run is not the task's any more.
      if (error instanceof DispatchFencedError) await this.stop(transport, spec, turn, session);
      throw error;
    }
    return this.follow(transport, spec, session, { turn, startedAt }, signal);
  }

  /**
   * Follows a turn to the task's terminal record, through as many gate retries
   * as it is allowed. `session` is null for a turn found ended with no session to retry in.
   */
  async follow(transport: Transport<AgentSession>, first: TurnSpec, session: AgentSession | null, state: TurnState, signal: AbortSignal): Promise<Followed> {
    let spec = first;
    let current = state;
    for (;;) {
      const raced = "ended" in current ? { ended: current.ended, recycle: null } : await this.race(transport, spec, session!, current, signal);
      if (!raced) return "recorded";
      // A run that ended after another dispatch of the task was counted is not settled here (no gate, no commit):
      // its result would be refused anyway (TaskRecords.current throws).
      const recordNow = await this.deps.records.current(spec.record);
      const report = await raced.ended.report();
      if (report.toolCalls && this.deps.toolCalls) {
        // The audit is a record of what ran, not a part of the result: a failure to publish it is logged, not fatal.
        await this.deps
          .toolCalls(spec.record, session?.name ?? spec.record.session, report.toolCalls, report.toolCallsDropped ?? 0)
          .catch((error) => this.deps.log("job.tool-audit-failed", { taskId: spec.record.id, error }));
      }
      // Only a session this task still holds can take a retry (not one found after a bridge restart, nor a stuck one).
      const canRetry = session !== null && session.currentTask === spec.record.id && session.state === "busy" && raced.recycle === null;
      const settled = await this.deps.settle.settle(spec.record, session?.name ?? spec.record.session, spec.token, report, { canRetry, signal });
      if (settled.kind === "final") {
        const { record } = spec;
        // A pane that ignored its interrupt is restarted, not handed to the next task.
        const free = session && !raced.recycle ? () => this.deps.free(session, record.id) : undefined;
        await this.deps.records.finish(record, session?.name ?? record.session, settled.status, settled.exitCode, settled.reason, settled.fields, {
          free,
          ...(settled.waited ? {} : { current: recordNow }),
        });
        if (report.late) this.deps.records.amendLater(record.id, report.late);
        if (raced.recycle) await this.deps.recycle(session!, raced.recycle);
        return "recorded";
      }
      if (settled.kind === "rerun") {
        const { record } = spec;
        this.deps.recorder?.mark(record.id, `usage limit on account ${record.account ?? "?"}: the task runs again with account ${settled.account}`);
        await this.deps.records.rerun(record, settled.account);
        if (raced.recycle) await this.deps.recycle(session!, raced.recycle);
        return "rerun";
      }
      spec = { record: spec.record, text: settled.prompt, token: settled.token, retry: true };
      const outputFile = transport.outputFile(spec) ?? undefined;
      await this.deps.records.writeAhead(
        spec.record.id,
        { dispatch: spec.token, session: session!.name, pane: session!.paneKey, outputFile },
        spec.record.attempts,
      );
      if (outputFile) spec = { ...spec, record: { ...spec.record, dispatch: spec.token, outputFile } };
      const turn = await this.start(transport, spec, session!, GATE_RETRY_NOTE);
      current = { turn, startedAt: await this.deps.records.startedAt(spec.record.id) };
    }
  }

  /** Prepares a turn, starts its recording, and hands it to the program. */
  private async start(transport: Transport<AgentSession>, spec: TurnSpec, session: AgentSession, note: string | undefined): Promise<RunningTurn> {
    const prepared = await transport.prepare(spec, session);
    await this.deps.recorder?.start(spec.record, session, this.deps.redact(prepared.prompt), prepared.marker, note);
    try {
      return await transport.start(spec, prepared, session);
    } catch (error) {
      // The text may still sit in the program's input: only a new program is a clean slate.
      if (error instanceof PaneUnusable) await this.deps.recycle(session, error.recycle);
      throw error;
    }
  }

  /**
   * Races the turn's end against its time limit (counted from when it started,
   * so an adopted turn keeps the time it used), a cancel and the pane's death.
   * Returns the ended turn to settle (and, when its pane ignored the interrupt, why to restart the session
   * once it is recorded), or null when it was stopped and recorded.
   */
  private async race(
    transport: Transport<AgentSession>,
    spec: TurnSpec,
    session: AgentSession,
    running: { turn: RunningTurn; startedAt: number },
    signal: AbortSignal,
  ): Promise<{ ended: EndedTurn; recycle: string | null } | null> {
    const { turn } = running;
    const deadline = jobDeadline(spec.record.timeoutSec, running.startedAt, signal);
    const fence = this.watchFence(spec.record);
    try {
      const outcome = await Promise.race([turn.end, deadline.reached, fence.superseded]);
      if (typeof outcome !== "string") return { ended: outcome, recycle: null };
      if (outcome === "superseded") {
        await this.stop(transport, spec, turn, session);
        throw new DispatchFencedError(spec.record.id, spec.record.attempts);
      }
      const stopped = await transport.interrupt(spec, turn, session, outcome);
      // It ended on its own just as it was interrupted: that is its real outcome.
      if (stopped.ended) return { ended: stopped.ended, recycle: stopped.stuck?.recycle ?? null };
      await this.recordInterrupted(spec, session, turn, outcome, stopped);
      if (stopped.stuck) await this.deps.recycle(session, stopped.stuck.recycle);
      return null;
    } finally {
      fence.dispose();
      deadline.dispose();
      turn.dispose();
    }
  }

  /**
   * Resolves "superseded" once another dispatch of the task has been counted (this host froze or lost
   * Redis past its job's lock, and another host's worker took the job over): the run is then stopped
   * rather than left to finish twice. Checked every FENCE_CHECK_MS, one HGET; a failed read is not news.
   */
  private watchFence(record: TaskRecord): { superseded: Promise<"superseded">; dispose(): void } {
    let timer: NodeJS.Timeout | undefined;
    const superseded = new Promise<"superseded">((resolve) => {
      const check = async (): Promise<void> => {
        const stale = await this.deps.records.superseded(record).catch(() => false); // not news: read again at the next check
        if (stale) resolve("superseded");
        else timer = setTimeout(() => void check(), this.deps.fenceCheckMs ?? FENCE_CHECK_MS);
      };
      timer = setTimeout(() => void check(), this.deps.fenceCheckMs ?? FENCE_CHECK_MS);
    });
    return { superseded, dispose: () => clearTimeout(timer) };
  }

  /** Stops a superseded run in its pane (Ctrl-C; a pane that ignores it is restarted), recording nothing. */
  private async stop(transport: Transport<AgentSession>, spec: TurnSpec, turn: RunningTurn, session: AgentSession): Promise<void> {
    this.deps.recorder?.mark(spec.record.id, "another dispatch of this task was counted since (another host took its job over): stopped");
    const stopped = await transport.interrupt(spec, turn, session, "cancelled");
    if (stopped.stuck) await this.deps.recycle(session, stopped.stuck.recycle);
  }

  private async recordInterrupted(
    spec: TurnSpec,
    session: AgentSession,
    turn: RunningTurn,
    outcome: "timeout" | "cancelled",
    stopped: Interrupted,
  ): Promise<void> {
    const { record } = spec;
    const stuck = stopped.stuck ? `; ${stopped.stuck.note}` : "";
    const reason =
      outcome === "timeout"
        ? `exceeded its time limit of ${record.timeoutSec}s and ${stopped.stuck?.killed ? "was killed" : "was interrupted"}${stuck}`
        : `cancelled while running${stuck}`;
    // What an agent program reported before the interrupt (its conversation id, tokens so far) is kept.
    const partial = await turn.partial();
    const changes = await this.deps.settle.interrupted(record, session.name);
    await this.deps.records.finish(record, session.name, outcome, null, reason, { ...partial, ...changes });
  }
}
