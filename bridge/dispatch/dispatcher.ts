import { DispatchFencedError, isTerminal, type AgentConfig, type Ledger, type TaskRecord } from "../../core/index.js";
import type { BridgeLog } from "../log-events.js";
import type { Transport, TurnSpec } from "../../agents/index.js";
import type { AgentSession } from "../sessions/index.js";
import type { FlightRecorder } from "../flight-recorder.js";
import { dispatchVerdict, type Asking } from "../policy-check.js";
import type { SessionStates } from "../sessions/index.js";
import type { SessionPool } from "../sessions/index.js";
import type { Followed, Lifecycle } from "./lifecycle.js";
import type { TaskRecords } from "./task-records.js";

export interface DispatcherDeps {
  readonly ledger: Ledger;
  readonly records: TaskRecords;
  readonly lifecycle: Lifecycle;
  readonly registry: SessionStates;
  readonly pools: ReadonlyMap<string, SessionPool>;
  readonly agents: ReadonlyMap<string, AgentConfig>;
  /** The transport that runs an agent's tasks (agents/transport.ts). */
  readonly transportOf: (agent: AgentConfig) => Transport<AgentSession>;
  /** A task whose command the agent's policy asks about: run, denied, or held for the person's answer (admission/policy-holds.ts). */
  readonly asks: { judge(record: TaskRecord, asking: Asking): Promise<{ kind: "run" } | { kind: "denied"; reason: string } | { kind: "held" }> };
  /** A held agent's tasks wait here before taking a session. */
  readonly parking: { wait(agent: string, signal: AbortSignal): Promise<void> };
  /** `redis.acknowledge`: resolves once replicas hold the task's record, false when it is gone (replicated.ts); absent: no wait. */
  readonly replicated?: (taskId: string, signal: AbortSignal) => Promise<boolean>;
  readonly recorder: FlightRecorder | null;
  /** Frees a session this task holds and publishes it (a no-op once it holds another: the lifecycle frees it before recording the result). */
  readonly release: (session: AgentSession, taskId: string) => Promise<void>;
  /** Restarts a session's program; `planned`: between tasks, by choice (an account move), so no crash. */
  readonly recycle: (session: AgentSession, reason: string, planned?: boolean) => Promise<void>;
  /** After this many dispatches a task is not started again (tuning.ts maxDispatches). */
  readonly maxDispatches: number;
  /**
   * Why the program in `session` must be restarted before it takes a task (an interactive program started with
   * an account the agent has moved off), or null.
   */
  readonly staleAccount: (agent: AgentConfig, session: AgentSession) => Promise<string | null>;
  readonly log: BridgeLog;
}

/** Why a task whose stored text is redacted cannot run: the raw copy kept apart is gone. */
const RAW_TEXT_GONE =
  "its text held secrets, so the record keeps it redacted and the raw text apart; that copy is gone (its submitter stopped between writing the two), so it was not run: submit it again";
/** How long a session that went down may take to come back before its run counts as lost with its pane. */
const REATTACH_WAIT_MS = 5000;
/** Restarts of sessions found on a stale account, per run of a task: beyond that it runs where it is. */
const MAX_ACCOUNT_RESTARTS = 3;

export class Cancelled extends Error {}

/**
 * Runs tasks by id, idempotently: whatever an earlier bridge left behind (a
 * finished dispatch, one still running in its pane, one never started) is
 * finished, adopted or withdrawn, never run a second time. Each run goes
 * through the one lifecycle (lifecycle.ts) with its agent's transport.
 */
export class Dispatcher {
  private readonly inflight = new Map<string, { promise: Promise<"held" | undefined>; controller: AbortController }>();

  constructor(private readonly deps: DispatcherDeps) {}

  get active(): number {
    return this.inflight.size;
  }

  /** "held": the task waits for a person's answer to its policy's ask (its job should leave the worker until then). */
  run(taskId: string): Promise<"held" | undefined> {
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

  /** Runs the task, and again while a usage limit moves it to another account of its agent (or a session must switch to it). */
  private async execute(taskId: string, signal: AbortSignal): Promise<"held" | undefined> {
    let restarts = 0;
    for (;;) {
      let outcome: Awaited<ReturnType<Dispatcher["executeOnce"]>>;
      try {
        outcome = await this.executeOnce(taskId, signal, restarts < MAX_ACCOUNT_RESTARTS);
      } catch (error) {
        if (!(error instanceof DispatchFencedError)) throw error;
        // Another host's worker took the job over (this one froze or lost Redis past its lock) and counted a
        // further dispatch: this one's run is stopped and nothing of it is recorded. The job is that host's.
        this.deps.log("dispatch.fenced", { taskId, attempt: error.attempt });
        return undefined;
      }
      if (outcome === "done") return undefined;
      if (outcome === "held") return "held";
      if (outcome === "restarted") restarts++;
    }
  }

  private async executeOnce(taskId: string, signal: AbortSignal, mayRestart: boolean): Promise<"done" | "rerun" | "restarted" | "held"> {
    const { ledger, records } = this.deps;
    const done = async (finished: Promise<void> | void): Promise<"done"> => (await finished, "done");
    const record = await ledger.get(taskId);
    if (!record) return done(this.deps.log("job.unknown-task", { taskId }));
    if (isTerminal(record.status)) return "done";
    if (record.cancelRequested) return done(records.finish(record, null, "cancelled", null, "cancelled before it started"));
    const pool = this.deps.pools.get(record.agent);
    const agent = this.deps.agents.get(record.agent);
    if (!pool || !agent) return done(records.finish(record, null, "failed", null, `agent "${record.agent}" is not served by this bridge's config`));
    const transport = this.deps.transportOf(agent);
    if (record.dispatch) {
      const resumed = await this.resume(transport, record, pool, signal);
      if (resumed !== "lost") return resumed === "rerun" ? "rerun" : "done";
    }
    // Every dispatch is counted before it is typed; runs that died with their pane or bridge are not
    // retried forever: a task that kills whatever runs it would otherwise loop (BullMQ would only stop
    // it after 20 stalls, silently).
    // A rerun on another account (a usage limit) is not a lost run.
    if (record.attempts - (record.accountReruns ?? 0) >= this.deps.maxDispatches) {
      const reason = `its run was lost ${record.attempts} times (each time the pane or the bridge running it died before it ended), so it is not started again: the task itself may be what kills them`;
      this.deps.log("job.dispatch-limit", { taskId: record.id, attempts: record.attempts });
      return done(records.finish(record, record.session, "failed", null, reason));
    }
    const text = await ledger.taskText(record);
    if (text === null) return done(records.finish(record, null, "failed", null, RAW_TEXT_GONE));
    // The submitting client checked the policy, but a job can be written into Redis by anyone who reaches it:
    // what reaches a pane is checked here, against this bridge's config, before every dispatch.
    const verdict = await dispatchVerdict({ ...record, task: text }, agent);
    if (verdict?.kind === "refuse") {
      this.deps.log("job.refused", { taskId: record.id, agent: record.agent, rule: verdict.rule });
      return done(records.finish(record, null, "failed", null, verdict.reason));
    }
    if (verdict?.kind === "ask") {
      // Held before it takes a session: a person approves (it runs, not asked again) or denies (it fails).
      const held = await this.deps.asks.judge(record, verdict);
      if (held.kind === "held") return "held";
      if (held.kind === "denied") {
        this.deps.log("job.refused", { taskId: record.id, agent: record.agent, rule: verdict.rule });
        return done(records.finish(record, null, "failed", null, held.reason));
      }
    }
    let session: AgentSession;
    // What the task waits for when a cancel comes: the reason says which wait it ended.
    let waiting = "a replica to hold its record";
    try {
      if (this.deps.replicated && !(await this.deps.replicated(taskId, signal))) return done(this.deps.log("job.unknown-task", { taskId }));
      waiting = "its agent's queue to be let go (a usage-limit parking, an open breaker, a crash loop or a spent budget)";
      await this.deps.parking.wait(record.agent, signal);
      waiting = "a session";
      session = await pool.acquire(taskId, signal);
    } catch (error) {
      if (error instanceof Cancelled) return done(records.finish(record, null, "cancelled", null, `cancelled while waiting for ${waiting}`));
      throw error;
    }
    try {
      const stale = mayRestart ? await this.deps.staleAccount(agent, session) : null;
      if (stale) {
        // Between tasks: its program restarts with the agent's account, and the task takes the next free session.
        this.deps.log("agent.account-restart", { taskId, session: session.name, why: stale });
        await this.deps.recycle(session, stale, true);
        return "restarted";
      }
      return (await this.deps.lifecycle.dispatch(transport, record, session, text, signal)) === "rerun" ? "rerun" : "done";
    } finally {
      await this.deps.release(session, taskId);
    }
  }

  /** A task an earlier attempt dispatched: followed to its end ("recorded" or "rerun"), or "lost" when it must be dispatched again. */
  private async resume(transport: Transport<AgentSession>, record: TaskRecord, pool: SessionPool, signal: AbortSignal): Promise<Followed | "lost"> {
    const token = record.dispatch!;
    const spec: TurnSpec = { record, text: "", token, retry: /-g\d+$/.test(token) };
    const found = transport.inspect(record);
    if (found.kind === "lost") return "lost";
    if (found.kind === "ended") {
      return this.deps.lifecycle.follow(transport, spec, (record.session && pool.get(record.session)) || null, { ended: found.ended }, signal);
    }
    const session = record.session ? await comeBack(pool.get(record.session)) : undefined;
    if (!session || session.state === "down" || !session.running || session.paneKey !== record.pane) {
      // The run died with its pane: dispatch it again, as a new attempt, on whichever session comes up.
      this.deps.log("job.lost-with-pane", { taskId: record.id, session: record.session, dispatch: token });
      return "lost";
    }
    const adopted = await transport.adopt(record, session);
    if (adopted.kind === "lost") {
      this.deps.log("job.unadoptable", { taskId: record.id, session: session.name, dispatch: token, why: adopted.recycle ?? "" });
      if (adopted.recycle) await this.deps.recycle(session, adopted.recycle);
      return "lost";
    }
    this.deps.log("job.adopted", { taskId: record.id, session: session.name });
    pool.occupy(session, record.id);
    await this.deps.registry.publish(session);
    try {
      await this.deps.recorder?.start(record, session, "", adopted.marker, "adopted by a restarted bridge: the output in between was not recorded");
      if (adopted.kind === "ended") return await this.deps.lifecycle.follow(transport, spec, session, { ended: adopted.ended }, signal);
      const startedAt = record.startedAt ? Date.parse(record.startedAt) : (adopted.startedAt ?? Date.now());
      if (record.status !== "running") await this.deps.records.started(record, session.name, startedAt);
      return await this.deps.lifecycle.follow(transport, spec, session, { turn: adopted.turn, startedAt }, signal);
    } finally {
      await this.deps.release(session, record.id);
    }
  }
}

/**
 * A session marked down is restarted within a second or so; when only our tmux control client died,
 * it comes back with the same pane, still running the job. Deciding before that would run the job twice.
 */
async function comeBack(session: AgentSession | undefined): Promise<AgentSession | undefined> {
  const deadline = Date.now() + REATTACH_WAIT_MS;
  while (session && (session.state === "down" || !session.running) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return session;
}
