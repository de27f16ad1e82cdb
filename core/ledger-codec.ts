import { TASK_ENV_NAME, type TaskRecord, type TaskResult, type TaskStatus } from "./protocol.js";

/** How a task record is stored: one Redis hash of strings (null as "", booleans as "1"/"0"). */
export type Fields = Record<string, string | number | boolean | null | undefined>;

export function toResult(record: TaskRecord): TaskResult {
  const { id, agent, session, status, exitCode, output, outputFile, submittedAt, startedAt, finishedAt, durationMs, attempts, reason } = record;
  return {
    id,
    agent,
    session,
    status,
    exitCode,
    output,
    outputFile,
    submittedAt,
    startedAt,
    finishedAt,
    durationMs,
    attempts,
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

const AGENT_TEXT_FIELDS = [
  "host",
  "answer",
  "agentSessionId",
  "rateLimitResetAt",
  "account",
  "diffStat",
  "commit",
  "gateOutput",
  "outputError",
  "castFile",
] as const;
const AGENT_NUMBER_FIELDS = ["costUsd", "inputTokens", "outputTokens", "turns", "gateRetries", "diffBytes"] as const;

export function encode(fields: Fields): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out.push(key, value === null ? "" : typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return out;
}

export function decode(hash: Record<string, string>): TaskRecord {
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
    ...(hash.taskRedacted === "1" ? { taskRedacted: true } : {}),
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
  if (hash.accountReruns) out.accountReruns = Number(hash.accountReruns);
  if (hash.gateRetriesAllowed) out.gateRetriesAllowed = Number(hash.gateRetriesAllowed);
  if (hash.autoCommit === "1" || hash.autoCommit === "0") out.autoCommit = hash.autoCommit === "1";
  const env = taskEnv(hash.env);
  if (env !== undefined) out.env = env;
  return out;
}

/**
 * A task's own variables, read back from their JSON. Anything not shaped as written (a
 * hand-edited record) is left out whole: the task then runs without them, and a
 * workflow's `${CA_…?}` references stop its script instead of expanding to nothing.
 */
function taskEnv(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed);
    if (!entries.every(([name, value]) => TASK_ENV_NAME.test(name) && typeof value === "string" && !value.includes("\0"))) return undefined;
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}
