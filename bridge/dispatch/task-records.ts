import { DispatchFencedError, isTerminal, type Ledger, type Redactor, type SpareFiles, type TaskRecord, type TerminalStatus } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import { removeTaskDispatches, type ResultFields, type UsageFields } from "../../agents/index.js";
import type { AgentSession, SessionStates } from "../sessions/index.js";
import type { FlightRecorder } from "../flight-recorder.js";
import { readOutputForResult } from "../output.js";
import type { SessionPool } from "../sessions/index.js";

export interface TaskRecordsDeps {
  readonly ledger: Ledger;
  readonly jobsDir: string;
  /** Where a finished dispatch's files go to be reused (core/spare-files.ts); deleted without. */
  readonly spares?: SpareFiles;
  readonly pools: ReadonlyMap<string, SessionPool>;
  /** Publishes a session freed by a result in the same transaction as the result. */
  readonly states: SessionStates;
  readonly recorder: FlightRecorder | null;
  readonly redact: Redactor;
  readonly log: BridgeLog;
  /** Swarms with `hosts:`: this bridge's host, written on the task's start and end (and their events). */
  readonly host: string | null;
  /** Called once the terminal state (or an amendment) is recorded, before the job's worker takes the next job. */
  readonly counted?: (agent: string, taskId: string) => Promise<void>;
}

export interface FinishOptions {
  /** Frees the session the task held (its pool's release), returning it to publish with the result; null: nothing to publish. */
  readonly free?: () => AgentSession | null;
  /** The task's record as read just before (TaskRecords.current) with nothing waited on since: not read again. */
  readonly current?: TaskRecord | null;
}

/** What a dispatch writes ahead of typing: its token, where it runs, and the files that will hold its output. */
export interface DispatchPatch {
  readonly dispatch: string;
  readonly session: string;
  readonly pane: string;
  readonly attempts?: number;
  readonly outputFile?: string;
  readonly castFile?: string;
  /** Agents with `accounts:`: the account the dispatch runs with. */
  readonly account?: string;
}

/**
 * Every ledger write of a dispatch, each in one place: the write-ahead
 * before a turn is typed, the start, and the terminal state (with the output
 * read back, the recording closed and the dispatch files removed).
 */
export class TaskRecords {
  constructor(private readonly deps: TaskRecordsDeps) {}

  /**
   * Before typing: a bridge that dies after this finds the dispatch on restart by its token. `fence`: the
   * task's attempts as this dispatch read them (a new dispatch counts one more in `patch.attempts`, so of
   * two bridges dispatching the same attempt only the first writes; a gate retry keeps its attempt).
   * Every write of a dispatch below is fenced by its record's `attempts` the same way: once another
   * dispatch has been counted, it throws DispatchFencedError and writes nothing (core/ledger-scripts.ts).
   */
  async writeAhead(taskId: string, patch: DispatchPatch, fence: number): Promise<void> {
    const fields = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Record<string, string | number>;
    await this.deps.ledger.update(taskId, fields, undefined, fence);
  }

  /**
   * The task's record as it is now, to settle a dispatch that ended: DispatchFencedError when a later dispatch of
   * the task has been counted than `record`'s (its run is not settled: no gate, no commit). One read serves the
   * check and the result's write when settling waits on nothing (finish's `current`).
   */
  async current(record: TaskRecord): Promise<TaskRecord | null> {
    const current = await this.deps.ledger.get(record.id);
    if (current && current.attempts !== record.attempts) throw new DispatchFencedError(record.id, record.attempts);
    return current;
  }

  /** Whether a later dispatch of the task has been counted than `record`'s (read now; the writes check it again in Redis). */
  async superseded(record: TaskRecord): Promise<boolean> {
    const attempts = await this.deps.ledger.attempts(record.id);
    return attempts !== null && attempts !== record.attempts;
  }

  /**
   * A dispatch that ended on a usage limit, to run again on `account`: its token is withdrawn (the next
   * run is a new dispatch, not one to adopt), and the rerun is counted apart from runs lost with their pane.
   */
  async rerun(record: TaskRecord, account: string): Promise<void> {
    const current = (await this.deps.ledger.get(record.id)) ?? record;
    await this.deps.ledger.update(record.id, { dispatch: "", pane: "", accountReruns: (current.accountReruns ?? 0) + 1 }, undefined, record.attempts);
    this.deps.log("job.account-rerun", { taskId: record.id, from: record.account ?? null, to: account });
  }

  async started(record: TaskRecord, session: string, startedAt: number): Promise<void> {
    const host = this.deps.host ?? undefined;
    await this.deps.ledger.update(
      record.id,
      { status: "running", startedAt: new Date(startedAt).toISOString(), session, host },
      { type: "task.started", data: { agent: record.agent, session, status: "running", host } },
      record.attempts,
    );
  }

  /** When the task started, as the ledger has it (a retry's time limit counts from there). */
  async startedAt(taskId: string): Promise<number> {
    const current = await this.deps.ledger.get(taskId);
    return current?.startedAt ? Date.parse(current.startedAt) : Date.now();
  }

  async finish(
    record: TaskRecord,
    session: string | null,
    status: TerminalStatus,
    exitCode: number | null,
    reason?: string,
    extra: ResultFields = {},
    options: FinishOptions = {},
  ): Promise<void> {
    const finishedAt = Date.now();
    const label = `${status}${exitCode === null ? "" : ` (exit ${exitCode})`}${reason ? `: ${this.deps.redact(reason)}` : ""}`;
    await this.deps.recorder?.stop(record.id, label);
    const current = (options.current !== undefined ? options.current : await this.deps.ledger.get(record.id)) ?? record;
    // Counted on its session before the session is published free (below), so the published counts include it;
    // a task some other writer ended meanwhile (ledger.finish then refuses) is not this session's result.
    const owner: AgentSession | undefined =
      session && !isTerminal(current.status) && current.attempts === record.attempts ? this.deps.pools.get(record.agent)?.get(session) : undefined;
    owner?.recordResult(status);
    // Idle no later than the result is visible: the freed session's state is published in the result's own
    // transaction, so whoever reads the result and then the swarm's status sees the session free (and its
    // recording of this task has stopped, so the next task's output cannot land in it). One round trip, not two:
    // 0.2 ms of each dispatch's latency (p50, one-at-a-time `true`).
    const freed = options.free?.() ?? null;
    const startedAt = current.startedAt ? Date.parse(current.startedAt) : null;
    let recorded: boolean;
    try {
      recorded = await this.deps.ledger.finish(
        record.id,
        status,
        {
          session: session ?? current.session ?? "",
          exitCode,
          output: current.outputFile ? readOutputForResult(current.outputFile) : "",
          finishedAt: new Date(finishedAt).toISOString(),
          durationMs: startedAt === null ? null : finishedAt - startedAt,
          reason: reason ?? "",
          ...(this.deps.host ? { host: this.deps.host } : {}),
          ...extra,
        },
        record.agent,
        record.attempts,
        freed ? (multi) => this.deps.states.publishIn(multi, freed) : undefined,
      );
    } catch (error) {
      // The transaction did not run (Redis unreachable): the session is free here all the same, and says so on its own.
      if (freed && !(error instanceof DispatchFencedError)) {
        await this.deps.states.publish(freed).catch((failed) => this.deps.log("session.publish-failed", { session: freed.name, error: failed }));
      }
      throw error;
    } finally {
      // Ended (now or before), or run again elsewhere: this home's dispatch files, which hold the raw text, are not needed again.
      removeTaskDispatches(this.deps.jobsDir, record.id, { attempts: current.attempts, dispatch: current.dispatch ?? null }, this.deps.spares);
    }
    if (!recorded) return;
    this.deps.log("job.finished", { taskId: record.id, status, exitCode, session });
    // Awaited: with the agent at its budget, the next job its worker takes must already be held.
    await this.deps.counted?.(record.agent, record.id);
  }

  /**
   * Adds usage figures that come after the result (an interactive program's token counts), in the
   * background: the result is already recorded and the session free. A failure is logged, not thrown.
   */
  amendLater(taskId: string, usage: () => Promise<UsageFields>): void {
    void (async () => {
      try {
        const fields = await usage();
        if (Object.keys(fields).length > 0 && (await this.deps.ledger.amend(taskId, fields))) {
          const agent = (await this.deps.ledger.get(taskId))?.agent;
          if (agent !== undefined) await this.deps.counted?.(agent, taskId);
        }
      } catch (error) {
        this.deps.log("job.amend-failed", { taskId, error });
      }
    })();
  }
}
