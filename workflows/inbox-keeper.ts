import { INBOX_RETENTION_MS, type InboxStore, type LogFn } from "../core/index.js";
import type { ExecutionStore } from "./store.js";
import { WAITING } from "./transitions.js";

/** How often due items are escalated: one ZRANGEBYSCORE when nothing is due. */
const ESCALATE_EVERY_MS = 2000;
/** An item whose step was decided less than this ago is left to the decider to close. */
const RECORD_GRACE_MS = 30_000;

/**
 * The daemon's care of the inbox: escalates items nobody answered in time (an
 * `inbox.escalated` event, which notifications pick up), closes workflow items
 * whose step no longer waits (an answer applied by a process that died before it
 * recorded it on the item), and forgets closed items past their retention.
 */
export class InboxKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly inbox: InboxStore,
    private readonly executions: ExecutionStore,
    private readonly log: LogFn,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), ESCALATE_EVERY_MS);
    this.timer.unref();
  }

  /** The slower part, run with the workflow service's sweep. */
  async sweep(): Promise<void> {
    for (const item of await this.inbox.list({ limit: 1000 })) {
      const source = item.source;
      // An agent's budget item is the bridge's: it withdraws it when the period ends.
      if (!("executionId" in source)) continue;
      const state = await this.executions.get(source.executionId);
      if (source.type === "budget") {
        if (state?.status === "running" && state.budget?.paused?.item === item.id) continue;
        const decidedAt = Date.parse(state?.updatedAt ?? "");
        if (Date.now() - decidedAt < RECORD_GRACE_MS) continue;
        const why = state === null ? "its execution is gone" : state.status !== "running" ? `the execution is ${state.status}` : "the run is not paused for it";
        if (await this.inbox.withdraw(item.id, `no longer waiting: ${why}`)) this.log("inbox.reconciled", { item: item.id, reason: why });
        continue;
      }
      const st = state?.steps[source.step];
      if (state !== null && state.status === "running" && st !== undefined && WAITING.includes(st.status) && st.inbox === item.id) continue;
      // Whoever decided the step records it on the item right after; give them time before calling it lost.
      const decidedAt = Date.parse(st?.finishedAt ?? state?.finishedAt ?? "");
      if (Date.now() - decidedAt < RECORD_GRACE_MS) continue;
      const why = state === null ? "its execution is gone" : st === undefined ? "its step is gone" : `step "${source.step}" is ${st.status}`;
      if (await this.inbox.withdraw(item.id, `no longer waiting: ${why}`)) this.log("inbox.reconciled", { item: item.id, reason: why });
    }
    const removed = await this.inbox.expire(INBOX_RETENTION_MS);
    if (removed > 0) this.log("inbox.expired", { removed });
  }

  private tick(): void {
    if (this.running !== null || this.closed) return;
    this.running = this.inbox
      .escalateDue()
      .then((items) => {
        for (const item of items) this.log("inbox.escalated", { item: item.id, title: item.title });
      })
      .catch((error: unknown) => this.log("inbox.escalate.failed", { error }))
      .finally(() => (this.running = null));
  }

  /** Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
