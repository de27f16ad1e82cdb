/**
 * The "needs you" inbox: every item waiting for a person, whatever raised it,
 * has this one shape and lives in one store (store.ts). A kind says what
 * answer it takes; a source says who waits for the answer. New kinds (a
 * policy `ask`, an interactive program at a permission prompt, a budget
 * pause) are new values of these two unions, not new stores or events.
 */

/** `approval`: approve or deny. `input`: values for named questions. */
export type InboxKind = "approval" | "input";
export const INBOX_KINDS: readonly InboxKind[] = ["approval", "input"];

/** `open` until answered, or withdrawn because nobody waits for it any more (its execution was cancelled, …). */
export type InboxStatus = "open" | "answered" | "withdrawn";

/** Who waits for the answer. Only the owner applies an answer; the inbox records it. */
export type InboxSource =
  | {
      readonly type: "workflow";
      readonly executionId: string;
      readonly workflow: string;
      readonly step: string;
    }
  /** An agent's budget reached in `period` (core/budget): its queue is held by the bridge. */
  | { readonly type: "budget"; readonly agent: string; readonly period: string }
  /** A workflow run's budget reached: the engine starts no new step. */
  | { readonly type: "budget"; readonly executionId: string; readonly workflow: string }
  /**
   * A command an agent's policy `ask` rule matched (core/asks): the task held before dispatch, or with
   * `call`, one tool call of the running task (Claude Code's PreToolUse hook) waiting for the answer.
   */
  | { readonly type: "policy"; readonly agent: string; readonly taskId: string; readonly call?: string }
  /**
   * A task that failed or timed out (supervisor/failed-tasks.ts): approve runs it again
   * (client/task-retry.ts: a new task with the same text and options), deny dismisses it.
   */
  | { readonly type: "task"; readonly agent: string; readonly taskId: string }
  /** An interactive program of `session` at a permission prompt while running `taskId` (core/asks/prompt.ts): its bridge keys the answer into the dialog. */
  | { readonly type: "prompt"; readonly agent: string; readonly session: string; readonly taskId: string };

export interface InboxQuestion {
  /** The answer's key: `{{steps.ID.answers.NAME}}`. */
  readonly name: string;
  /** What the person is asked. */
  readonly prompt: string;
  /** Used when the person gives no value. */
  readonly default?: string;
  /** When set, the value must be one of these. */
  readonly choices?: readonly string[];
  /** When set, the whole value must match this regular expression. */
  readonly pattern?: string;
  /** A value (or a default) must be given; true unless the question says otherwise. */
  readonly required: boolean;
}

export type InboxAnswer =
  | { readonly decision: "approve" | "deny"; readonly reason?: string; readonly by: string }
  | { readonly values: Readonly<Record<string, string>>; readonly by: string };

export interface InboxItem {
  /** `i-` and six characters, safe to type. */
  readonly id: string;
  readonly kind: InboxKind;
  status: InboxStatus;
  /** One line: where it comes from and what it asks. */
  readonly title: string;
  /** The whole question (may be long: an approval can carry a diff). */
  readonly text: string;
  /** `input` items: what to answer; empty otherwise. */
  readonly questions: readonly InboxQuestion[];
  readonly source: InboxSource;
  readonly createdAt: string;
  /** When an unanswered item escalates (an `inbox.escalated` event); null: never. */
  readonly escalateAt: string | null;
  escalatedAt: string | null;
  answer: InboxAnswer | null;
  /** When it was answered or withdrawn. */
  closedAt: string | null;
  /** Why it was withdrawn. */
  reason: string | null;
}

/** What a raiser gives to open an item; the store fills in status and times. */
export interface NewInboxItem {
  readonly id: string;
  readonly kind: InboxKind;
  readonly title: string;
  readonly text: string;
  readonly questions?: readonly InboxQuestion[];
  readonly source: InboxSource;
  /** Milliseconds after opening when it escalates; null or absent: never. */
  readonly escalateAfterMs?: number | null;
}

/** The workflow execution an item belongs to (a step's question, a run's budget), or null (an agent's budget). */
export function executionOf(source: InboxSource): string | null {
  return "executionId" in source ? source.executionId : null;
}

/**
 * Where an item comes from, as a person reads it: `deploy/approve`, `budget of agent coder`, `budget of deploy`,
 * `policy of agent ops (task t-…)`, `prompt of agent coder in coder-1 (task t-…)`, `failed task t-… of agent testing`.
 */
export function sourceLabel(source: InboxSource): string {
  if (source.type === "workflow") return `${source.workflow}/${source.step}`;
  if (source.type === "policy") return `policy of agent ${source.agent} (task ${source.taskId})`;
  if (source.type === "prompt") return `prompt of agent ${source.agent} in ${source.session} (task ${source.taskId})`;
  if (source.type === "task") return `failed task ${source.taskId} of agent ${source.agent}`;
  return "agent" in source ? `budget of agent ${source.agent}` : `budget of ${source.workflow}`;
}
