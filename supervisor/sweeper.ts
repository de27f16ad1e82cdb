import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RETENTION, isTerminal, taskDiffFile, type Ledger, type LogFn, type RetentionConfig, type TaskRecord } from "../core/index.js";

/** What the sweeper needs of swarm.yaml's `retention:` (core's RetentionConfig; DEFAULT_RETENTION when absent). */
export type RetentionPolicy = Pick<RetentionConfig, "completedMs" | "failedMs" | "maxTasks">;

/** A queued task whose job is missing after this long was lost between ledger and queue (a client died in between). */
const ORPHAN_AFTER_MS = 30_000;
/** The bridge records a job's final failure itself, within moments; one failed for longer than this nobody recorded. */
const ABANDONED_AFTER_MS = 30_000;
const BATCH = 500;

export interface SweeperDeps {
  readonly ledger: Ledger;
  readonly jobExists: (record: TaskRecord) => Promise<boolean>;
  readonly requeue: (record: TaskRecord) => Promise<void>;
  /** The task's job if its queue gave up on it (BullMQ state `failed`): why and when; else null. */
  readonly abandonedJob?: (record: TaskRecord) => Promise<{ readonly reason: string; readonly failedAt: number } | null>;
  readonly outputDir: string;
  readonly jobsDir: string;
  /** `<home>/agents`: interactive agents keep their result files (`<task>-<attempt>.result.md`) in `<agent>/results/`. */
  readonly agentsDir?: string;
  readonly retention?: RetentionPolicy;
  readonly log?: LogFn;
  /** Told each task it failed as abandoned, after recording it (the daemon withdraws a held task's inbox item). */
  readonly abandoned?: (record: TaskRecord, reason: string) => Promise<void>;
}

/**
 * Keeps the ledger honest and bounded: re-queues accepted tasks whose job
 * never reached the queue, fails open tasks whose job the queue gave up on
 * without anyone recording it (BullMQ fails a job that stalled more than
 * maxStalledCount times silently, in a Lua script: no worker sees it), and
 * forgets finished tasks past their retention (record, output file and
 * dispatch files), failed ones kept longer.
 */
export class Sweeper {
  readonly retention: RetentionPolicy;

  constructor(private readonly deps: SweeperDeps) {
    const { completedMs, failedMs, maxTasks } = deps.retention ?? DEFAULT_RETENTION;
    this.retention = { completedMs, failedMs, maxTasks };
  }

  async sweep(now = Date.now()): Promise<{ requeued: number; abandoned: number; removed: number }> {
    const { requeued, abandoned } = await this.settleOpen(now);
    const removed = await this.expire(now);
    if (requeued || abandoned || removed) this.deps.log?.("sweep", { requeued, abandoned, removed });
    return { requeued, abandoned, removed };
  }

  private async settleOpen(now: number): Promise<{ requeued: number; abandoned: number }> {
    let requeued = 0;
    let abandoned = 0;
    for (const id of await this.deps.ledger.openBefore(now - ORPHAN_AFTER_MS, BATCH)) {
      const record = await this.deps.ledger.get(id);
      if (!record || isTerminal(record.status)) continue;
      const gaveUp = await this.deps.abandonedJob?.(record);
      if (gaveUp && now - gaveUp.failedAt > ABANDONED_AFTER_MS) {
        const reason = `the queue gave up on its job (${gaveUp.reason || "no reason given"}); a run still going in its pane is no longer watched`;
        if (await this.deps.ledger.finish(record.id, "failed", { exitCode: null, finishedAt: new Date(now).toISOString(), reason }, record.agent)) {
          this.deps.log?.("task.abandoned", { taskId: record.id, reason: gaveUp.reason });
          await this.deps.abandoned?.(record, reason).catch((error: unknown) => this.deps.log?.("task.abandoned-hook-failed", { taskId: record.id, error }));
          abandoned++;
        }
        continue;
      }
      if (record.status !== "queued" || record.dispatch) continue;
      if (await this.deps.jobExists(record)) continue;
      await this.deps.requeue(record);
      requeued++;
    }
    return { requeued, abandoned };
  }

  private async expire(now: number): Promise<number> {
    const { completedMs, failedMs, maxTasks } = this.retention;
    const doomed: string[] = [];
    for (const id of await this.deps.ledger.submittedBefore(now - Math.min(completedMs, failedMs), BATCH)) {
      const record = await this.deps.ledger.get(id);
      if (!record) {
        doomed.push(id);
        continue;
      }
      if (!isTerminal(record.status)) continue;
      const finished = Date.parse(record.finishedAt ?? record.submittedAt);
      const keep = record.status === "completed" ? completedMs : failedMs;
      if (now - finished > keep) doomed.push(id);
    }
    const over = (await this.deps.ledger.count()) - maxTasks;
    if (over > doomed.length) {
      for (const id of await this.deps.ledger.oldest(Math.min(over + BATCH, 10 * BATCH))) {
        if (doomed.length >= over) break;
        if (doomed.includes(id)) continue;
        const record = await this.deps.ledger.get(id);
        if (!record || isTerminal(record.status)) doomed.push(id);
      }
    }
    this.removeFiles(new Set(doomed));
    return this.deps.ledger.remove(doomed);
  }

  private removeFiles(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    for (const id of ids) {
      rmSync(join(this.deps.outputDir, `${id}.log`), { force: true });
      rmSync(join(this.deps.outputDir, `${id}.cast`), { force: true }); // the flight recorder's recording goes with the output
      rmSync(taskDiffFile(this.deps.outputDir, id), { force: true }); // and a worktree task's patch
    }
    removeNamed(this.deps.jobsDir, ids);
    for (const agent of listDir(this.deps.agentsDir)) removeNamed(join(this.deps.agentsDir!, agent, "results"), ids);
  }
}

/** Dispatch files are named <task id>-<attempt>.<ext>; task ids contain one hyphen. */
function removeNamed(dir: string, ids: ReadonlySet<string>): void {
  for (const name of listDir(dir)) {
    const id = name.split("-").slice(0, 2).join("-");
    if (ids.has(id)) rmSync(join(dir, name), { force: true });
  }
}

function listDir(dir: string | undefined): string[] {
  if (!dir) return [];
  try {
    return readdirSync(dir);
  } catch {
    return []; // no such folder (e.g. no jobs folder on a supervisor-only host)
  }
}
