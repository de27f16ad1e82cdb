import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { DispatchFencedError } from "./errors.js";
import { isSafeId } from "./ids.js";
import type { Keys } from "./keys.js";
import { encode, type Fields } from "./ledger-codec.js";
import { runScript, runScriptInTransaction, type AlsoInTransaction } from "./ledger-run.js";
import { AMEND_TASK, CREATE_TASK, TRANSITION_TASK } from "./ledger-scripts.js";
import { usableRecord, type RecordFiles } from "./ledger-validate.js";
import { isTerminal, type EventType, type Origin, type TaskRecord } from "./protocol.js";
import type { Redactor } from "./redact.js";
import type { TaskEnds } from "./task-ends.js";

const IDEMPOTENCY_TTL_SEC = 7 * 24 * 3600;

/** Fields that may carry what a program printed, and so secrets. */
const REDACTED_FIELDS = ["output", "reason", "answer", "errorMessage", "gateOutput"] as const;

/** The event a transition adds to the stream, beside the task id: its type and fields (a `message` is redacted). */
export interface TransitionEvent {
  readonly type: EventType;
  readonly data?: Record<string, string | undefined>;
}

/**
 * The ledger's scripted writes: creating a record, moving it on, amending an ended one. Each is one
 * Lua script (ledger-scripts.ts), so an idempotency key names one task, a terminal state and its event
 * are written exactly once, and a write sent twice after a lost reply is applied once. Kept apart from
 * the Ledger, which reads, lists and removes records, because what a write must carry for that (its
 * own id, the fence, the redacted fields, the read-back of an ended record) concerns only the writes.
 */
export class LedgerWriter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly redact: Redactor,
    private readonly files: RecordFiles | undefined,
    private readonly ends: TaskEnds | undefined,
  ) {}

  /** Ledger.create: the record under its idempotency key, its task text redacted (the raw text under its own key). */
  async create(record: TaskRecord, origin?: Origin): Promise<{ id: string; created: boolean }> {
    const shown = this.redact(record.task);
    const raw = shown === record.task ? null : record.task;
    const { env, ...rest } = raw === null ? record : { ...record, task: shown, taskRedacted: true };
    const fields = encode({ ...(rest as unknown as Fields), ...(env !== undefined && { env: JSON.stringify(env) }) });
    const event = eventFields("task.submitted", { taskId: record.id, agent: record.agent, status: "queued", actor: origin?.actor, via: origin?.via });
    const idem = record.idempotencyKey;
    const reply = (await runScript(
      this.redis,
      CREATE_TASK,
      5,
      this.keys.idempotency(idem ?? ""),
      this.keys.task(record.id),
      this.keys.taskIndex,
      this.keys.events,
      this.keys.openTasks,
      idem ? "1" : "0",
      record.id,
      String(Date.parse(record.submittedAt)),
      String(IDEMPOTENCY_TTL_SEC),
      String(fields.length / 2),
      ...fields,
      ...event,
    )) as [string, number];
    const created = reply[1] === 1;
    if (created && raw !== null) await this.redis.set(this.keys.taskRaw(record.id), raw);
    return { id: reply[0], created };
  }

  /** Ledger.update: one transition, and the record it ended told to `ends` (read back in the same transaction). */
  async transition(id: string, fields: Fields, event?: TransitionEvent, fence?: number, also?: AlsoInTransaction): Promise<boolean> {
    const encoded = encode(this.clean(fields));
    const data = event?.data?.message === undefined ? event?.data : { ...event.data, message: this.redact(event.data.message) };
    const ev = event ? eventFields(event.type, { taskId: id, ...data }) : [];
    const keys = [this.keys.task(id), this.keys.events, this.keys.openTasks, this.keys.taskRaw(id)];
    // The write's own id: ioredis sends the same command again after a reply lost with its connection, and the
    // script takes a write whose id it has already applied as applied, without applying it twice (ledger-scripts.ts).
    const write = writeId();
    const args = [...keys, fence === undefined ? "" : String(fence), write, String(encoded.length / 2), ...encoded, ...ev];
    const ending = typeof fields.status === "string" && isTerminal(fields.status);
    const ends = this.ends;
    if ((!ending || !ends) && !also) return applied((await runScript(this.redis, TRANSITION_TASK, keys.length, ...args)) as number, id, fence);
    // The record as this transition left it, read in the same transaction, for whoever waits on its end.
    const readBack = ending && ends ? this.keys.task(id) : null;
    const { reply, hash } = await runScriptInTransaction(this.redis, TRANSITION_TASK, keys.length, args, readBack, also);
    if (!applied(reply as number, id, fence)) return false;
    const ended = hash ? usableRecord(id, hash, this.files) : null;
    if (ended) ends?.tell(ended);
    return true;
  }

  /** Ledger.amend: usage figures added to an ended task, never over one already recorded. */
  async amend(id: string, usage: { readonly inputTokens?: number; readonly outputTokens?: number; readonly turns?: number }): Promise<boolean> {
    const encoded = encode(usage);
    if (encoded.length === 0 || !isSafeId(id)) return false;
    const ev = eventFields("task.amended", { taskId: id, fields: Object.keys(usage).join(",") });
    const write = writeId();
    const set = (await runScript(
      this.redis,
      AMEND_TASK,
      2,
      this.keys.task(id),
      this.keys.events,
      write,
      String(encoded.length / 2),
      ...encoded,
      ...ev,
    )) as number;
    return set > 0;
  }

  private clean(fields: Fields): Fields {
    const out: Fields = { ...fields };
    // The script's own record of the writes it applied; no caller's to set.
    delete out.writes;
    for (const key of REDACTED_FIELDS) {
      const value = out[key];
      if (typeof value === "string") out[key] = this.redact(value);
    }
    return out;
  }
}

/** An event stream entry's fields: its type, when, and each datum that has a value. */
export function eventFields(type: string, data: Record<string, string | undefined>): string[] {
  const out = ["type", type, "at", new Date().toISOString()];
  for (const [key, value] of Object.entries(data)) if (value !== undefined && value !== "") out.push(key, value);
  return out;
}

/** This process's tag for its writes' ids (72 random bits, no spaces); a count tells its writes apart. */
const WRITER = randomBytes(9).toString("base64url");
let writes = 0;

/**
 * A write's own id, never the same for two writes (ledger-scripts.ts): the process's random tag and a count.
 * Nine random bytes drawn for every write were 1.0 % of the daemon's CPU profile in a burst (three writes per task).
 */
function writeId(): string {
  return `${WRITER}${(writes++).toString(36)}`;
}

/** A transition's reply as a boolean (applied or not); a fenced one (-2) throws. */
function applied(reply: number, id: string, fence: number | undefined): boolean {
  if (reply === -2) throw new DispatchFencedError(id, fence ?? 0);
  return reply === 1;
}
