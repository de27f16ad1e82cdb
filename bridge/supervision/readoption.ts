import { isTerminal, type Ledger, type TaskRecord } from "../../core/index.js";
import { inspectDispatch } from "../../agents/index.js";
import type { PaneRef } from "../../sessions/index.js";
import type { BridgeLog } from "../log-events.js";
import type { AgentSession, AgentSessions, SessionStates } from "../sessions/index.js";
import type { TaskRunner } from "../task-runner.js";

/**
 * A session brought up on a pane that already existed may still be running
 * the job it ran before (the bridge or only its tmux client died): that job
 * is adopted, not typed again.
 */
export class Readoption {
  constructor(
    private readonly deps: {
      readonly ledger: Ledger;
      readonly states: SessionStates;
      readonly sessions: AgentSessions;
      readonly runner: TaskRunner;
      readonly jobsDir: string;
      readonly log: BridgeLog;
    },
  ) {}

  /**
   * The job still running in this very pane (or finished there unseen),
   * whatever the ledger's status: after an infrastructure error (our tmux
   * client died, not the pane) it says "queued" while a retry is pending.
   */
  async runningIn(session: AgentSession, ref: PaneRef, interactive: boolean): Promise<TaskRecord | null> {
    const running = await this.deps.states.currentTask(session.name);
    const record = running ? await this.deps.ledger.get(running) : null;
    if (record === null || isTerminal(record.status) || record.session !== session.name || record.dispatch === null) return null;
    if (record.pane !== `${ref.paneId}:${ref.panePid}`) return null;
    return interactive || ["running", "finished"].includes(inspectDispatch(this.deps.jobsDir, record.dispatch).kind) ? record : null;
  }

  /** The job is still ours to watch; BullMQ's re-delivery will find it in flight. */
  adopt(session: AgentSession, record: TaskRecord): void {
    const pool = this.deps.sessions.poolOf(session.agent)!;
    pool.occupy(session, record.id);
    void this.deps.runner
      .run(record.id)
      .catch((error) => this.deps.log("job.adopt-failed", { taskId: record.id, error }))
      .finally(() => {
        // The runner may have finished from the exit file without ever taking the session.
        pool.release(session, record.id);
        void this.deps.states.publish(session).catch((error) => this.deps.log("session.publish-failed", { session: session.name, error }));
      });
  }
}
