import type { Redis } from "ioredis";
import { isSafeId } from "./ids.js";
import { keys as makeKeys, type Keys } from "./keys.js";
import type { Fields } from "./ledger-codec.js";
import type { AlsoInTransaction } from "./ledger-run.js";
import { InvalidRecordError, recordProblems, usableRecord, type RecordFiles } from "./ledger-validate.js";
import { LedgerWriter, type TransitionEvent } from "./ledger-write.js";
import { redactShapes, type Redactor } from "./redact.js";
import type { TaskEnds } from "./task-ends.js";
import type { EventType, Origin, TaskRecord, TerminalStatus } from "./protocol.js";

export type { AlsoInTransaction } from "./ledger-run.js";

export interface LedgerOptions {
  /** Cleans secrets out of the text fields we store (output, reason, answer) and event messages. */
  readonly redact?: Redactor;
  /** The home's folders: a record's file fields must point exactly there (else only their shape is checked). */
  readonly files?: RecordFiles;
  /** Told about every record (or listed id) that fails validation and is therefore ignored. */
  readonly onInvalid?: (id: string, problems: readonly string[]) => void;
  /** Told every record this ledger ends, read back in the transaction that ended it (task-ends.ts). */
  readonly ends?: TaskEnds;
}

/**
 * The record of every task, in Redis: one hash per task, an index sorted by
 * submission time, and the event stream. Every transition goes through a Lua
 * script (LedgerWriter, ledger-write.ts), so a terminal state (and its event)
 * is written exactly once. Records are validated as they are read
 * (ledger-validate.ts): one that fails is reported and reads as absent.
 */
export class Ledger {
  readonly keys: Keys;

  private readonly writer: LedgerWriter;

  /**
   * `options.redact` cleans secrets out of the text fields we store (task
   * text, output, reason, answer) and event messages; by default the
   * well-known secret shapes.
   */
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly options: LedgerOptions = {},
  ) {
    this.keys = makeKeys(prefix);
    this.writer = new LedgerWriter(redis, this.keys, options.redact ?? redactShapes, options.files, options.ends);
  }

  /** Where the records this process ends are told, if anywhere (task-ends.ts). */
  get ends(): TaskEnds | undefined {
    return this.options.ends;
  }

  /**
   * Creates the task unless its idempotency key already names one; returns the
   * task's id and whether it is new; `origin` goes on its event. The record keeps
   * the task text redacted; when that changed it, the raw text (which the run
   * needs) goes under its own key, written before the job is queued and deleted
   * when the task ends.
   */
  async create(record: TaskRecord, origin?: Origin): Promise<{ id: string; created: boolean }> {
    return this.writer.create(record, origin);
  }

  /**
   * The text a task runs: the record's own, or, when the record's copy is
   * redacted, the raw text kept apart. Null when that is gone (the task ended,
   * or its submitter died between writing the record and the text).
   */
  async taskText(record: Pick<TaskRecord, "id" | "task" | "taskRedacted">): Promise<string | null> {
    if (!record.taskRedacted) return record.task;
    return this.redis.get(this.keys.taskRaw(record.id));
  }

  /** The task's record; null when there is none, or when it fails validation (reported through `onInvalid`). */
  async get(id: string): Promise<TaskRecord | null> {
    const read = await this.read(id);
    return read && "record" in read ? read.record : null;
  }

  /** Like get, but a record that fails validation throws InvalidRecordError saying why (for a person asking for it). */
  async getChecked(id: string): Promise<TaskRecord | null> {
    const read = await this.read(id);
    if (read && "problems" in read) {
      throw new InvalidRecordError(`the record of task ${id} in Redis is not one the swarm wrote; it is ignored:\n  ${read.problems.join("\n  ")}`, {
        hint: `Someone with access to the swarm's Redis changed it. Inspect it with HGETALL ${this.keys.task(id)}.`,
        context: { taskId: id },
      });
    }
    return read?.record ?? null;
  }

  private async read(id: string): Promise<{ record: TaskRecord } | { problems: string[] } | null> {
    if (!isSafeId(id)) return null; // no task can have such an id, and it must not become part of a key or a path
    const hash = await this.redis.hgetall(this.keys.task(id));
    if (!hash.status) return null;
    const record = usableRecord(id, hash, this.options.files);
    if (record) return { record };
    const problems = recordProblems(id, hash, this.options.files);
    this.options.onInvalid?.(id, problems);
    return { problems };
  }

  /** Ids from an index, without those that are not task ids (a forged index entry must not name a file). */
  private safeIds(ids: string[]): string[] {
    const safe = ids.filter(isSafeId);
    if (safe.length !== ids.length) {
      for (const id of ids.filter((candidate) => !isSafeId(candidate))) this.options.onInvalid?.(id, [`index: not a task id: ${JSON.stringify(id)}`]);
    }
    return safe;
  }

  /**
   * Applies fields to a task that is not terminal yet, with an optional event. `fence`: a dispatch's write, refused
   * (DispatchFencedError, nothing written) once the task's `attempts` is not this number (a later dispatch counted).
   * Applied once even when the client sends it twice (a reply lost with its connection): the second run changes
   * nothing, adds no event and reads as applied, like the first. finish writes through here too, so a subclass
   * that wraps update sees every transition.
   */
  async update(id: string, fields: Fields, event?: TransitionEvent, fence?: number, also?: AlsoInTransaction): Promise<boolean> {
    return this.writer.transition(id, fields, event, fence, also);
  }

  /** The task's count of dispatches (`attempts`), the fence of its current dispatch; null when there is no such task. */
  async attempts(id: string): Promise<number | null> {
    const value = isSafeId(id) ? await this.redis.hget(this.keys.task(id), "attempts") : null;
    return value === null ? null : Number(value);
  }

  /**
   * Adds usage figures that arrived after the task's terminal state (an interactive program's token
   * counts), with a `task.amended` event; never changes a figure already recorded, nor a task that is
   * still open. Returns whether anything was added.
   */
  async amend(id: string, usage: { readonly inputTokens?: number; readonly outputTokens?: number; readonly turns?: number }): Promise<boolean> {
    return this.writer.amend(id, usage);
  }

  /**
   * Records the terminal state once; returns false when the task had already ended. `fence`: a dispatch's result (see update).
   * `also`: commands applied in the same transaction (the freed session's state, published with the result it frees it from).
   */
  async finish(id: string, status: TerminalStatus, fields: Fields, agent?: string, fence?: number, also?: AlsoInTransaction): Promise<boolean> {
    const record = { ...fields, status };
    return this.update(
      id,
      record,
      { type: `task.${status}` as EventType, data: { agent, session: str(fields.session), status, host: str(fields.host) } },
      fence,
      also,
    );
  }

  async requestCancel(id: string): Promise<void> {
    await this.redis.hset(this.keys.task(id), "cancelRequested", "1");
    await this.redis.publish(this.keys.cancelChannel, id);
  }

  /** Ids of tasks not finished yet that were submitted before `before` (ms since epoch). */
  async openBefore(before: number, limit = 1000): Promise<string[]> {
    return this.safeIds(await this.redis.zrangebyscore(this.keys.openTasks, "-inf", before, "LIMIT", 0, limit));
  }

  /** Ids of all tasks submitted before `before`, oldest first. */
  async submittedBefore(before: number, limit = 1000): Promise<string[]> {
    return this.safeIds(await this.redis.zrangebyscore(this.keys.taskIndex, "-inf", before, "LIMIT", 0, limit));
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.taskIndex);
  }

  async oldest(limit: number): Promise<string[]> {
    return this.safeIds(await this.redis.zrange(this.keys.taskIndex, 0, limit - 1));
  }

  /** Forgets finished tasks (record and index entries). Returns how many were removed. */
  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const multi = this.redis.multi();
    for (const id of ids) multi.del(this.keys.task(id), this.keys.taskRaw(id)).zrem(this.keys.taskIndex, id).zrem(this.keys.openTasks, id);
    await multi.exec();
    return ids.length;
  }

  /** Task ids, newest first. */
  async list(limit = 50): Promise<string[]> {
    return this.safeIds(await this.redis.zrevrange(this.keys.taskIndex, 0, limit - 1));
  }
}

export { InvalidRecordError, type RecordFiles } from "./ledger-validate.js";
export { toResult } from "./ledger-codec.js";
export { eventFields } from "./ledger-write.js";

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
