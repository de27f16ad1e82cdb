import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { keys as makeKeys, type Keys } from "./keys.js";
import { CREATE_TASK, TRANSITION_TASK } from "./ledger-scripts.js";
import type { Redactor } from "./redact.js";
import { type EventType, type Origin, type TaskRecord, type TaskResult, type TaskStatus, type TerminalStatus } from "./protocol.js";

type Fields = Record<string, string | number | boolean | null | undefined>;

const IDEMPOTENCY_TTL_SEC = 7 * 24 * 3600;

/** Fields that may carry what a program printed, and so secrets. */
const REDACTED_FIELDS = ["output", "reason", "answer", "errorMessage", "gateOutput"] as const;

/**
 * The record of every task, in Redis: one hash per task, an index sorted by
 * submission time, and the event stream. Every transition goes through a Lua
 * script, so a terminal state (and its event) is written exactly once.
 */
export class Ledger {
  readonly keys: Keys;

  private readonly redact: Redactor;

  /** `redact` cleans secrets out of the text fields we store (output, reason, answer) and event messages. */
  constructor(private readonly redis: Redis, prefix = "ca", redact?: Redactor) {
    this.keys = makeKeys(prefix);
    this.redact = redact ?? ((text) => text);
  }

  /** Creates the task unless its idempotency key already names one; returns the task's id and whether it is new. `origin` goes on its event. */
  async create(record: TaskRecord, origin?: Origin): Promise<{ id: string; created: boolean }> {
    const fields = encode(record as unknown as Fields);
    const event = eventFields("task.submitted", { taskId: record.id, agent: record.agent, status: "queued", actor: origin?.actor, via: origin?.via });
    const idem = record.idempotencyKey;
    const reply = (await this.script(
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
    return { id: reply[0], created: reply[1] === 1 };
  }

  /**
   * Runs a ledger script by its SHA1 (EVALSHA), sending the source only when the
   * server does not know it yet: the scripts are 1–1.4 KB and run on every transition.
   */
  private async script(lua: string, numKeys: number, ...args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha1(lua), numKeys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return this.redis.eval(lua, numKeys, ...args);
    }
  }

  async get(id: string): Promise<TaskRecord | null> {
    const hash = await this.redis.hgetall(this.keys.task(id));
    return hash.status ? decode(hash) : null;
  }

  /** Applies fields to a task that is not terminal yet, with an optional event. */
  async update(id: string, fields: Fields, event?: { type: EventType; data?: Record<string, string | undefined> }): Promise<boolean> {
    const encoded = encode(this.clean(fields));
    const data = event?.data?.message === undefined ? event?.data : { ...event.data, message: this.redact(event.data.message) };
    const ev = event ? eventFields(event.type, { taskId: id, ...data }) : [];
    const applied = (await this.script(TRANSITION_TASK, 3, this.keys.task(id), this.keys.events, this.keys.openTasks, "0", String(encoded.length / 2), ...encoded, ...ev)) as number;
    return applied === 1;
  }

  /** Records the terminal state once; returns false when the task had already ended. */
  async finish(id: string, status: TerminalStatus, fields: Fields, agent?: string): Promise<boolean> {
    const record = { ...fields, status };
    return this.update(id, record, { type: `task.${status}` as EventType, data: { agent, session: str(fields.session), status } });
  }

  private clean(fields: Fields): Fields {
    const out: Fields = { ...fields };
    for (const key of REDACTED_FIELDS) {
      const value = out[key];
      if (typeof value === "string") out[key] = this.redact(value);
    }
    return out;
  }

  async requestCancel(id: string): Promise<void> {
    await this.redis.hset(this.keys.task(id), "cancelRequested", "1");
    await this.redis.publish(this.keys.cancelChannel, id);
  }

  /** Ids of tasks not finished yet that were submitted before `before` (ms since epoch). */
  async openBefore(before: number, limit = 1000): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.openTasks, "-inf", before, "LIMIT", 0, limit);
  }

  /** Ids of all tasks submitted before `before`, oldest first. */
  async submittedBefore(before: number, limit = 1000): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.taskIndex, "-inf", before, "LIMIT", 0, limit);
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.taskIndex);
  }

  async oldest(limit: number): Promise<string[]> {
    return this.redis.zrange(this.keys.taskIndex, 0, limit - 1);
  }

  /** Forgets finished tasks (record and index entries). Returns how many were removed. */
  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const multi = this.redis.multi();
    for (const id of ids) multi.del(this.keys.task(id)).zrem(this.keys.taskIndex, id).zrem(this.keys.openTasks, id);
    await multi.exec();
    return ids.length;
  }

  /** Task ids, newest first. */
  async list(limit = 50): Promise<string[]> {
    return this.redis.zrevrange(this.keys.taskIndex, 0, limit - 1);
  }
}

export function toResult(record: TaskRecord): TaskResult {
  const { id, agent, session, status, exitCode, output, outputFile, submittedAt, startedAt, finishedAt, durationMs, attempts, reason } = record;
  return {
    id, agent, session, status, exitCode, output, outputFile, submittedAt, startedAt, finishedAt, durationMs, attempts,
    ...(reason ? { reason } : {}),
    ...agentFields(record),
  };
}

/** The optional fields an agent program's run adds to a result, only those present. */
function agentFields(result: TaskResult): Partial<TaskResult> {
  const out: Partial<TaskResult> = {};
  for (const key of AGENT_TEXT_FIELDS) if (result[key]) out[key] = result[key];
  for (const key of AGENT_NUMBER_FIELDS) if (typeof result[key] === "number") out[key] = result[key];
  if (result.changedFiles) out.changedFiles = result.changedFiles;
  if (result.memoryEntries) out.memoryEntries = result.memoryEntries;
  return out;
}

const AGENT_TEXT_FIELDS = ["answer", "agentSessionId", "rateLimitResetAt", "diffStat", "commit", "gateOutput", "outputError"] as const;
const AGENT_NUMBER_FIELDS = ["costUsd", "inputTokens", "outputTokens", "turns", "gateRetries"] as const;

export function eventFields(type: string, data: Record<string, string | undefined>): string[] {
  const out = ["type", type, "at", new Date().toISOString()];
  for (const [key, value] of Object.entries(data)) if (value !== undefined && value !== "") out.push(key, value);
  return out;
}

function encode(fields: Fields): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out.push(key, value === null ? "" : typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return out;
}

function decode(hash: Record<string, string>): TaskRecord {
  const num = (key: string): number | null => (hash[key] === undefined || hash[key] === "" ? null : Number(hash[key]));
  const text = (key: string): string | null => (hash[key] ? hash[key]! : null);
  const status = (hash.status ?? "queued") as TaskStatus;
  return {
    id: hash.id ?? "",
    agent: hash.agent ?? "",
    session: text("session"),
    status,
    exitCode: num("exitCode"),
    output: hash.output ?? "",
    outputFile: text("outputFile"),
    submittedAt: hash.submittedAt ?? "",
    startedAt: text("startedAt"),
    finishedAt: text("finishedAt"),
    durationMs: num("durationMs"),
    attempts: num("attempts") ?? 0,
    ...(hash.reason ? { reason: hash.reason } : {}),
    ...Object.fromEntries(AGENT_TEXT_FIELDS.filter((key) => hash[key]).map((key) => [key, hash[key]])),
    ...Object.fromEntries(AGENT_NUMBER_FIELDS.filter((key) => num(key) !== null).map((key) => [key, num(key)])),
    ...(hash.fresh === "1" ? { fresh: true } : {}),
    ...jobOptions(hash),
    task: hash.task ?? "",
    timeoutSec: num("timeoutSec") ?? 0,
    priority: num("priority") ?? 0,
    idempotencyKey: text("idempotencyKey"),
    routedBy: hash.routedBy ?? "",
    dispatch: text("dispatch"),
    pane: text("pane"),
    cancelRequested: hash.cancelRequested === "1",
  };
}

/** The worktree and gate options of a task, and its list of changed files (stored as JSON). */
function jobOptions(hash: Record<string, string>): Partial<TaskRecord> {
  const out: Partial<TaskRecord> = {};
  if (hash.changedFiles) {
    try {
      const files: unknown = JSON.parse(hash.changedFiles);
      if (Array.isArray(files)) out.changedFiles = files.map(String);
    } catch {
      // a hand-edited record: leave the field out rather than fail the whole read
    }
  }
  if (hash.memoryEntries) {
    try {
      const ids: unknown = JSON.parse(hash.memoryEntries);
      if (Array.isArray(ids)) out.memoryEntries = ids.map(String);
    } catch {
      // as above
    }
  }
  if (hash.gate) out.gate = hash.gate;
  if (hash.gateRetriesAllowed) out.gateRetriesAllowed = Number(hash.gateRetriesAllowed);
  if (hash.autoCommit === "1" || hash.autoCommit === "0") out.autoCommit = hash.autoCommit === "1";
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const shas = new Map<string, string>();

function sha1(text: string): string {
  let sha = shas.get(text);
  if (!sha) shas.set(text, (sha = createHash("sha1").update(text).digest("hex")));
  return sha;
}
