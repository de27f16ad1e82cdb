import { existsSync, readFileSync } from "node:fs";
import { isTerminal, type TaskRecord } from "../../core/index.js";
import { paneEndedAt } from "../helpers/pane-end.js";
import type { Swarm } from "../../client/index.js";
import { sleep, type Traces, type Tracked } from "./stream.js";
import { clientInternals } from "../../client/index.js";

/** Ledger records of many tasks in one round trip (null for a task the ledger does not know). */
export async function records(client: Swarm, ids: readonly string[]): Promise<(TaskRecord | null)[]> {
  const out: (TaskRecord | null)[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    out.push(...(await Promise.all(chunk.map((id) => clientInternals(client.client).ledger.get(id)))));
  }
  return out;
}

/** Waits until every task is terminal in the ledger; returns the ids still open at the deadline. */
export async function waitTerminal(client: Swarm, tasks: readonly Tracked[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let open = tasks.map((t) => t.id);
  for (;;) {
    try {
      const recs = await records(client, open);
      open = open.filter((_, i) => !(recs[i] && isTerminal(recs[i]!.status)));
    } catch {
      // Redis briefly unreachable from the test side: look again.
    }
    if (open.length === 0 || Date.now() > deadline) return open;
    await sleep(100);
  }
}

/** Terminal events (`task.completed|failed|timeout|cancelled|rejected`) per task id, over the whole stream. */
export async function terminalEventCounts(client: Swarm): Promise<Map<string, number>> {
  const redis = clientInternals(client.client).redis;
  const key = clientInternals(client.client).ledger.keys.events;
  const counts = new Map<string, number>();
  let from = "-";
  for (;;) {
    const entries = (await redis.xrange(key, from, "+", "COUNT", 5000)) as [string, string[]][];
    for (const [, fields] of entries) {
      let type = "";
      let taskId = "";
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === "type") type = fields[i + 1]!;
        else if (fields[i] === "taskId") taskId = fields[i + 1]!;
      }
      if (taskId && type.startsWith("task.") && isTerminal(type.slice(5))) counts.set(taskId, (counts.get(taskId) ?? 0) + 1);
    }
    if (entries.length < 5000) return counts;
    from = `(${entries[entries.length - 1]![0]}`;
  }
}

/** How many times each label's command ran to its end (`done <label>` lines). */
export function completionCounts(t: Traces): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(t.done)) return counts;
  for (const line of readFileSync(t.done, "utf8").split("\n")) {
    if (!line.startsWith("done ")) continue;
    const label = line.slice(5);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

export function startCounts(t: Traces): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(t.starts)) return counts;
  for (const line of readFileSync(t.starts, "utf8").split("\n")) {
    if (line.startsWith("start ")) counts.set(line.slice(6), (counts.get(line.slice(6)) ?? 0) + 1);
  }
  return counts;
}

export interface Audit {
  submitted: number;
  completed: number;
  failed: number;
  timeout: number;
  cancelled: number;
  rejected: number;
  /** Accepted tasks with no terminal state in the ledger (or no record at all). */
  lost: string[];
  /** Tasks recorded or run to completion more than once. */
  duplicates: string[];
  /** Everything else wrong: a terminal state without its event, a completed task whose command never finished, a wrong result. */
  problems: string[];
  /** Runs that started again after the fault killed them (not a duplicate: only completions count). */
  restarted: number;
  /**
   * Runs whose command had just finished when their pane died, before the pane wrote the exit code (the
   * commit point): nothing recorded them, so they ran again. At-least-once is all a dead pane allows;
   * such a task still has one terminal state and one recorded completion.
   */
  rerunAfterPaneDeath: string[];
}

/**
 * The invariants after a fault: every accepted task is terminal in the
 * ledger (none lost), the counts add up, each task has exactly one terminal
 * event in `ca:events`, each command ran to its end exactly once, and each
 * completed task's recorded output is what its command printed.
 */
export async function audit(client: Swarm, tasks: readonly Tracked[], t: Traces, jobsDir: string, expectOutput = true): Promise<Audit> {
  const ids = tasks.map((task) => task.id);
  const result: Audit = {
    submitted: tasks.length,
    completed: 0,
    failed: 0,
    timeout: 0,
    cancelled: 0,
    rejected: 0,
    lost: [],
    duplicates: [],
    problems: [],
    restarted: 0,
    rerunAfterPaneDeath: [],
  };
  if (new Set(ids).size !== ids.length) result.problems.push("two labels were given the same task id");
  const [recs, events] = await Promise.all([records(client, ids), terminalEventCounts(client)]);
  const done = completionCounts(t);
  const starts = startCounts(t);
  tasks.forEach((task, i) => {
    const rec = recs[i];
    if (!rec || !isTerminal(rec.status)) {
      result.lost.push(`${task.label} (${task.id}: ${rec ? rec.status : "no record"})`);
      return;
    }
    result[rec.status]++;
    const nEvents = events.get(task.id) ?? 0;
    const nDone = done.get(task.label) ?? 0;
    // Dispatches of the task whose run reached its recorded end (the pane wrote its exit code).
    const exits = Array.from({ length: rec.attempts }, (_, k) => paneEndedAt(jobsDir, `${task.id}-${k + 1}`) !== null).filter(Boolean).length;
    const rerun = nDone > 1 && nEvents === 1 && exits <= 1 && nDone <= rec.attempts;
    if (rerun) result.rerunAfterPaneDeath.push(`${task.label} (${task.id}: attempts ${rec.attempts}, completed ${nDone}×, ${exits} exit recorded)`);
    else if (nEvents > 1 || nDone > 1)
      result.duplicates.push(
        `${task.label} (${task.id}: ${nEvents} terminal events, completed ${nDone}×, ${exits} of ${rec.attempts} dispatches with an exit code)`,
      );
    if (nEvents === 0) result.problems.push(`${task.label} (${task.id}) is ${rec.status} without a terminal event`);
    if (rec.status === "completed" && nDone === 0) result.problems.push(`${task.label} (${task.id}) recorded completed but its command never finished`);
    if (rec.status === "completed" && expectOutput && (rec.exitCode !== 0 || rec.output !== `${task.label}\n`)) {
      result.problems.push(`${task.label} (${task.id}) recorded exit ${rec.exitCode} output ${JSON.stringify(rec.output.slice(0, 80))}`);
    }
    if (rec.status !== "completed") result.problems.push(`${task.label} (${task.id}) ended ${rec.status}: ${rec.reason ?? ""}`);
    if ((starts.get(task.label) ?? 0) > 1) result.restarted++;
  });
  const sum = result.completed + result.failed + result.timeout + result.cancelled + result.rejected;
  if (sum + result.lost.length !== result.submitted)
    result.problems.push(`counts do not add up: ${sum} terminal + ${result.lost.length} lost ≠ ${result.submitted}`);
  return result;
}
