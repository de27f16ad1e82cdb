/**
 * The leader's failed-task inbox: a task that fails or times out opens a
 * "needs you" item (source `task`), so a person sees it beside the approvals
 * and can run it again from the CLI, the API or the dashboard
 * (client/task-retry.ts applies that answer). Steps of workflows are left
 * out: their execution retries or fails them, and shows them itself. So is
 * a task that failed because a person denied what it asked in the inbox.
 *
 * It reads the event stream without blocking, on the shared connection, from
 * a cursor kept in Redis: a new leader carries on where the last one stopped,
 * and a restart misses nothing. Events are read at least once; an item's id is
 * derived from its task's, so seeing one twice opens one item.
 */
import type { Redis } from "ioredis";
import { EventStream, InboxStore, inboxIdFor, type Keys, type Ledger, type LogFn, type Redactor, type SwarmEvent, type TaskRecord } from "../core/index.js";

const POLL_MS = 1_000;
const RAISED_ON = new Set(["task.failed", "task.timeout"]);
/** The idempotency keys of workflow steps' tasks (workflows/engine.ts): `wf:<execution>:<step>:<kind>:<attempt>`. */
const WORKFLOW_TASK = /^wf:/;
/** How many of the newest items are looked through for a person's denial of the task (it was answered moments before it failed). */
const RECENT_ITEMS = 50;
const OUTPUT_LINES = 20;
const OUTPUT_CHARS = 4_000;

export interface FailedTasksDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  readonly redact: Redactor;
  /** From `inbox.escalate_after`; null: never. */
  readonly escalateAfterMs: number | null;
  readonly log: LogFn;
  readonly pollMs?: number;
}

/** The item a failed task opens: its text, why it ended, and the end of its output. */
export function failedTaskItem(record: TaskRecord, redact: Redactor, escalateAfterMs: number | null) {
  const why = record.status === "timeout" ? "timed out" : `failed${record.exitCode === null ? "" : ` (exit ${record.exitCode})`}`;
  const reason = record.reason ? `: ${firstLine(record.reason)}` : "";
  const tail = record.output.split("\n").slice(-OUTPUT_LINES).join("\n").slice(-OUTPUT_CHARS).trimEnd();
  const text = [`Task: ${record.task}`, record.reason ? `Reason: ${record.reason}` : null, tail ? `Last output:\n${tail}` : null]
    .filter((part) => part !== null)
    .join("\n\n");
  return {
    id: inboxIdFor(`task:${record.id}`),
    kind: "approval" as const,
    title: redact(clipped(`task ${record.id} of agent ${record.agent} ${why}${reason}`, 200)),
    text: redact(text),
    source: { type: "task" as const, agent: record.agent, taskId: record.id },
    escalateAfterMs,
  };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class FailedTasksInbox {
  private readonly stream: EventStream;
  private readonly inbox: InboxStore;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private cursor: string | null = null;
  private closed = false;

  private constructor(private readonly deps: FailedTasksDeps) {
    this.stream = new EventStream(deps.redis, deps.keys.events);
    this.inbox = new InboxStore(deps.redis, deps.keys.prefix, deps.keys.events);
  }

  /**
   * Starts reading after the stored cursor, or, the first time a swarm runs
   * this, after the stream's newest event (failures from before it are not
   * brought up).
   */
  static async start(deps: FailedTasksDeps): Promise<FailedTasksInbox> {
    const inbox = new FailedTasksInbox(deps);
    const stored = await deps.redis.get(deps.keys.failedTasksCursor);
    inbox.cursor = stored ?? (await inbox.stream.lastId());
    if (stored === null) await deps.redis.set(deps.keys.failedTasksCursor, inbox.cursor);
    inbox.timer = setInterval(() => inbox.tick(), deps.pollMs ?? POLL_MS);
    inbox.timer.unref();
    return inbox;
  }

  private tick(): void {
    // Never overlapping: a slow round (Redis away) is not stacked up.
    if (this.running !== null || this.closed) return;
    this.running = this.round()
      .catch((error: unknown) => this.deps.log("inbox.failed-tasks-error", { error }))
      .finally(() => (this.running = null));
  }

  private async round(): Promise<void> {
    for (;;) {
      const events = await this.stream.after(this.cursor ?? "0-0", 200);
      if (events.length === 0 || this.closed) return;
      for (const event of events) await this.consider(event);
      this.cursor = events[events.length - 1]?.id ?? this.cursor;
      if (this.cursor !== null) await this.deps.redis.set(this.deps.keys.failedTasksCursor, this.cursor);
    }
  }

  private async consider(event: SwarmEvent): Promise<void> {
    const taskId = event.taskId;
    if (!RAISED_ON.has(event.type) || typeof taskId !== "string") return;
    const record = await this.deps.ledger.get(taskId);
    if (record === null || WORKFLOW_TASK.test(record.idempotencyKey ?? "") || (await this.deniedByPerson(taskId))) return;
    const { created, item } = await this.inbox.open(failedTaskItem(record, this.deps.redact, this.deps.escalateAfterMs));
    if (created) this.deps.log("inbox.failed-task", { taskId, agent: record.agent, item: item.id });
  }

  /** A person denied what the task asked for (a policy ask, a permission prompt): it failed by their decision, and asking them to retry it is noise. */
  private async deniedByPerson(taskId: string): Promise<boolean> {
    const recent = await this.inbox.list({ all: true, limit: RECENT_ITEMS });
    return recent.some(
      (item) =>
        item.source.type !== "task" &&
        "taskId" in item.source &&
        item.source.taskId === taskId &&
        item.answer !== null &&
        "decision" in item.answer &&
        item.answer.decision === "deny",
    );
  }

  /** Idempotent; resolves when a round under way has ended. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
