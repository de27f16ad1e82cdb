/**
 * What a task changed in its worktree. Before the first dispatch of a task
 * the worktree is snapshotted (HEAD and a tree of every file, untracked ones
 * too) into `jobs/<task>-worktree.base`, written ahead like the dispatch
 * files so that a restarted bridge still compares against the state before
 * the task. After it, the two trees are diffed and, with `commit`, the
 * worktree is committed once (a re-delivered task finds its own commit).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskDiffFile, type AgentConfig, type Redactor, type TaskRecord } from "../core/index.js";
import { changesBetween, commitAll, commitMessage, headOf, snapshot, writeDiff, type Snapshot } from "./git.js";
import type { Worktrees } from "./worktrees.js";

interface Base extends Snapshot {
  readonly session: string;
}

const SUBJECT_MAX = 72;
/** A task's patch is kept up to this size (`<output>/<id>.diff`); a larger one is cut with a line saying so. */
export const DIFF_MAX_BYTES = 2 * 1024 * 1024;

export class JobChanges {
  constructor(
    private readonly jobsDir: string,
    private readonly worktrees: Worktrees,
    /** Where the task's patch goes, beside its output log: `<output>/<id>.diff`. */
    private readonly outputDir: string,
    /** The swarm's secrets out of the patch, as out of the output: it is read with the `read` scope. */
    private readonly redact: Redactor = (text) => text,
  ) {}

  /** Snapshots the session's worktree unless this task already has a snapshot of it. */
  async before(agent: AgentConfig, session: string, taskId: string): Promise<void> {
    if (!agent.worktree) return;
    if (this.read(taskId)?.session === session) return;
    const state = await snapshot(this.worktrees.pathOf(session));
    const base: Base = { session, head: state.head, tree: state.tree };
    writeFileSync(this.file(taskId), `${JSON.stringify(base)}\n`, { mode: 0o600 });
    this.worktrees.noteTask(session, taskId);
  }

  /**
   * `changedFiles` (JSON), `diffStat`, `diffBytes` (the patch's size; the patch itself is `<output>/<id>.diff`)
   * and, when `commit`, the task's `commit`; nothing for agents without a worktree.
   */
  async after(agent: AgentConfig, session: string | null, record: TaskRecord, commit: boolean): Promise<Record<string, string>> {
    if (!agent.worktree || !session) return {};
    const base = this.read(record.id);
    if (!base || base.session !== session) return {};
    const dir = this.worktrees.pathOf(session);
    const now = await snapshot(dir);
    const { files, stat } = await changesBetween(dir, base.tree, now.tree);
    const fields: Record<string, string> = { changedFiles: JSON.stringify(files), diffStat: stat };
    if (files.length > 0) fields.diffBytes = String(await this.writePatch(dir, base.tree, now.tree, record.id));
    if (commit) {
      const sha = await this.commit(dir, record, base, files.length > 0);
      if (sha) fields.commit = sha;
    }
    return fields;
  }

  /** The patch, cut at DIFF_MAX_BYTES and redacted (a redacted patch may not apply: the commit holds the change). */
  private async writePatch(dir: string, before: string, after: string, taskId: string): Promise<number> {
    const file = taskDiffFile(this.outputDir, taskId);
    const { bytes } = await writeDiff(dir, before, after, file, DIFF_MAX_BYTES);
    const text = readFileSync(file, "utf8");
    const redacted = this.redact(text);
    if (redacted !== text) writeFileSync(file, redacted, { mode: 0o600 });
    return bytes;
  }

  forget(taskId: string): void {
    rmSync(this.file(taskId), { force: true });
  }

  /** Our commit for the task: made now, or found at HEAD (a re-delivery), or the agent's own commits' tip. */
  private async commit(dir: string, record: TaskRecord, base: Base, changed: boolean): Promise<string | null> {
    const head = await headOf(dir);
    const moved = head !== null && head !== base.head;
    if (moved && (await commitMessage(dir, head))?.includes(trailer(record.id))) return head;
    if (!changed) return moved ? head : null;
    return (await commitAll(dir, commitMessageFor({ ...record, session: base.session }))) ?? (moved ? head : null);
  }

  private file(taskId: string): string {
    // <task>-<suffix>: the sweeper removes a task's files in jobs/ by the prefix before the second hyphen.
    return join(this.jobsDir, `${taskId}-worktree.base`);
  }

  private read(taskId: string): Base | null {
    try {
      const value = JSON.parse(readFileSync(this.file(taskId), "utf8")) as Partial<Base>;
      return typeof value.session === "string" && typeof value.tree === "string"
        ? { session: value.session, tree: value.tree, head: value.head ?? null }
        : null;
    } catch {
      return null;
    }
  }
}

function trailer(taskId: string): string {
  return `Claude-Agent-Task: ${taskId}`;
}

/** The task's first line as the subject, the task id as a trailer. */
export function commitMessageFor(record: Pick<TaskRecord, "id" | "task" | "agent" | "session">): string {
  const first =
    record.task
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? "(empty task)";
  const subject = first.length > SUBJECT_MAX ? `${first.slice(0, SUBJECT_MAX - 1)}…` : first;
  return `${subject}\n\nclaude-agent task ${record.id} (agent ${record.agent}${record.session ? `, session ${record.session}` : ""})\n\n${trailer(record.id)}\n`;
}
