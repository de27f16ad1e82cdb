/**
 * A permission prompt nobody auto-approves waits for a person in the inbox
 * (issue 14): for each dialog of a running turn, one `prompt` item with the
 * question and the pane's last lines. The answer is recorded on the item
 * (core/asks/prompt-item.ts) and applied here, by the bridge that owns the
 * pane: approve presses APPROVE_KEY, deny the dialog's "No", each only into
 * the same dialog the item asked about (pressOnDialog). Nothing of the
 * answer's text is ever typed. The item is withdrawn when its dialog goes
 * another way (answered in the attached terminal), when the turn ends, is
 * cancelled or times out, or when the session dies. The session's record
 * (core/asks/prompt.ts) lets a restarted bridge pick up the same item.
 * This module owns the items; what a screen says about a dialog is read by
 * prompt-dialog.ts, and the waits and keys on the pane are dialog-keys.ts's.
 */
import {
  newInboxId,
  PROMPT_CHOICE,
  promptAskItem,
  promptDialogId,
  promptQuestionItem,
  type InboxAnswer,
  type LogFn,
  type NewInboxItem,
  type TaskRecord,
} from "../../../core/index.js";
import { clip } from "../../events.js";
import type { PromptInboxDeps } from "../../interactive-program.js";
import type { AgentPane } from "../../transport.js";
import { ASK_TOOL, askedQuestions, type ClaudeHookEvent } from "../hook-events.js";
import { autoApproves } from "./approvals.js";
import type { ClaudeChannel } from "./channel.js";
import { APPROVE_KEY } from "./launch.js";
import { endedAtNo, pressOnAskedDialog, pressOption, waitForOptions, waitForPermissionDialog } from "./dialog-keys.js";
import {
  callOf,
  dialogDecided,
  dialogEnded,
  openRequest,
  optionsLine,
  permissionAsk,
  questionAsk,
  raisableQuestion,
  stillShown,
  type AskedWhere,
} from "./prompt-dialog.js";
import type { InteractiveClaude } from "./sessions.js";

/** A deny from the inbox that ended the turn: at "No", Claude Code stops its turn without a Stop hook. */
export interface PromptDenial {
  readonly call: string;
  readonly by: string;
  readonly reason?: string;
}

export interface PromptWatchDeps extends PromptInboxDeps {
  readonly claude: InteractiveClaude;
  readonly log: LogFn;
}

/** How often an open item is looked at (its answer, its dialog still on screen). */
const POLL_MS = 500;
/** The PermissionRequest hook runs before the dialog is drawn: how long the dialog gets to appear. */
const DIALOG_WAIT_MS = 5000;
const ANSWERED_IN_TERMINAL = "its dialog was answered in the session's terminal";
const ANOTHER_QUESTION = "Claude Code went on to another question";

interface Asked {
  readonly dialog: string;
  readonly item: string;
  /** A permission prompt, or a question (AskUserQuestion) answered by one of its options. */
  readonly kind: "permission" | "question";
  /** The dialog as the screen showed it (a question: its numbered options), one line: keys go only into this. */
  readonly question: string;
  /** A question's option labels, in order (option n is picked by the digit n). */
  readonly labels: readonly string[];
  /** The PermissionRequest hook's time. */
  readonly at: number;
  readonly call: string;
  readonly denyKey: string;
  /** Looks in a row that found no dialog on screen (one could be a frame caught mid-redraw). */
  missing: number;
}

export class PromptWatch {
  /** Resolves when a person's deny ended the turn; pending otherwise. */
  readonly denied: Promise<PromptDenial>;
  private resolveDenied: (denial: PromptDenial) => void = () => undefined;
  private asked: Asked | null = null;
  private work: Promise<void> = Promise.resolve();
  private queued = 0;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly deps: PromptWatchDeps,
    private readonly record: TaskRecord,
    private readonly pane: AgentPane,
    private readonly channel: ClaudeChannel,
    /** When the turn was submitted: dialogs before it are another turn's. */
    private readonly since: number,
  ) {
    this.denied = new Promise((resolve) => (this.resolveDenied = resolve));
    this.subscription = channel.subscribe((event) => {
      if (event.event === "PermissionRequest") this.enqueue(() => (askedQuestions(event) ? this.raiseQuestion(event) : this.raise(event)));
    });
    this.enqueue(() => this.resume());
    this.timer = setInterval(() => this.queued === 0 && this.enqueue(() => this.look()), POLL_MS);
    this.timer.unref();
  }

  /** The turn is over (`why`): its open item, if any, is withdrawn. Idempotent. */
  stop(why: string): void {
    if (this.stopped) return;
    this.close();
    // A dialog answered in the terminal lets a short tool run and the turn end within one look (500 ms): the
    // item is withdrawn for what happened to its dialog, not for the turn's end that followed.
    const reason = (asked: Asked) => (dialogDecided(this.channel.history, asked.at) ? ANSWERED_IN_TERMINAL : why);
    this.work = this.work.then(() => (this.asked ? this.retire(this.asked, reason(this.asked)) : undefined)).catch((error) => this.failed(error));
  }

  /** The bridge shuts down (and the first step of `stop`): the item stays open for the next bridge, which re-adopts the turn. */
  close(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.subscription.dispose();
  }

  private enqueue(step: () => Promise<void>): void {
    this.queued++;
    this.work = this.work
      .then(() => (this.stopped ? undefined : step()))
      .catch((error) => this.failed(error))
      .finally(() => this.queued--);
  }

  private failed(error: unknown): void {
    this.deps.log("job.prompt-ask-failed", { taskId: this.record.id, session: this.pane.name, error });
  }

  /** A dialog already open (a re-adopted turn) keeps its item; one that went while no bridge watched has its item withdrawn. */
  private async resume(): Promise<void> {
    const open = openRequest(this.pane.agentState, this.channel.history, this.since);
    if (open) return askedQuestions(open) ? this.raiseQuestion(open) : this.raise(open);
    const before = await this.deps.asks.get(this.pane.name);
    if (before) await this.retire(before, "its dialog went away while no bridge watched");
  }

  private async raise(event: ClaudeHookEvent): Promise<void> {
    if (autoApproves(this.deps.claude, this.record.agent)) return;
    const dialog = promptDialogId(this.record.id, event.at);
    if (this.asked?.dialog === dialog) return;
    if (this.asked) await this.retire(this.asked, ANOTHER_QUESTION);
    const shown = await waitForPermissionDialog(this.deps.claude, this.pane, DIALOG_WAIT_MS);
    if (shown === null || dialogEnded(this.channel.history, event.at)) return;
    const { question, denyKey, capture } = shown;
    if (denyKey === null) return this.deps.log("job.prompt-unreadable", { taskId: this.record.id, session: this.pane.name, question: clip(question, 200) });
    if (this.stopped) return;
    const asked = { kind: "permission", question, labels: [], at: event.at, call: this.deps.redact(callOf(event)), denyKey } as const;
    const { item, created } = await this.open(dialog, asked, (where) => promptAskItem(permissionAsk(where, event, capture, denyKey), this.deps.redact));
    if (created) this.deps.log("job.prompt-asked", { taskId: this.record.id, session: this.pane.name, item, tool: event.toolName ?? "a tool" });
  }

  /** The answer, when there is one; else whether the dialog is still there. */
  private async look(): Promise<void> {
    const asked = this.asked;
    if (!asked) return;
    const item = await this.deps.inbox.get(asked.item);
    if (item === null || item.status === "withdrawn") {
      this.asked = null;
      return this.deps.asks.clear(this.pane.name, asked.dialog);
    }
    if (item.answer !== null && "decision" in item.answer) return this.apply(asked, item.answer);
    if (item.answer !== null && "values" in item.answer) return this.choose(asked, item.answer.values[PROMPT_CHOICE] ?? "", item.answer.by);
    asked.missing = stillShown(asked.kind, asked.question, await this.pane.capture()) ? 0 : asked.missing + 1;
    if ((dialogEnded(this.channel.history, asked.at) || asked.missing >= 2) && !this.stopped) await this.retire(asked, ANSWERED_IN_TERMINAL);
  }

  private async apply(asked: Asked, answer: Extract<InboxAnswer, { decision: string }>): Promise<void> {
    const approve = answer.decision === "approve";
    const key = approve ? APPROVE_KEY : asked.denyKey;
    const log = { taskId: this.record.id, session: this.pane.name, item: asked.item, decision: answer.decision, by: answer.by, key };
    const pressed = (attempt: number) => this.deps.log("job.prompt-answered", { ...log, attempt });
    const went = await this.channel.input(() => pressOnAskedDialog(this.deps.claude, this.pane, asked.question, key, pressed));
    this.asked = null;
    await this.deps.asks.clear(this.pane.name, asked.dialog);
    if (went === null) this.deps.log("job.prompt-answer-unapplied", { ...log, why: "the dialog was no longer on screen" });
    // Claude Code stops its turn at "No" with no Stop hook: back at its input box, the turn has ended.
    if (approve || !went || !(await endedAtNo(this.deps.claude, this.pane, this.channel, asked.at))) return;
    this.deps.claude.setState(this.pane, "idle");
    this.resolveDenied({ call: asked.call, by: answer.by, ...(answer.reason !== undefined && { reason: answer.reason }) });
  }

  /**
   * A question dialog (AskUserQuestion, measured on 2.1.332: the PermissionRequest hook with the tool's
   * questions, then the dialog): one `input` item whose choices are the options. auto_approve never answers
   * it. Only a dialog of one single-choice question is raised; any other is left to someone attached.
   */
  private async raiseQuestion(event: ClaudeHookEvent): Promise<void> {
    const dialog = promptDialogId(this.record.id, event.at);
    if (this.asked?.dialog === dialog) return;
    if (this.asked) await this.retire(this.asked, ANOTHER_QUESTION);
    const questions = askedQuestions(event) ?? [];
    const asked = raisableQuestion(questions);
    const log = { taskId: this.record.id, session: this.pane.name };
    if (!asked) {
      this.deps.log("job.question-unsupported", { ...log, questions: questions.length, multiSelect: questions[0]?.multiSelect === true });
      return;
    }
    const labels = asked.options.map((o) => o.label);
    const capture = await waitForOptions(this.pane, labels, DIALOG_WAIT_MS, () => this.stopped);
    if (capture === null || dialogEnded(this.channel.history, event.at) || this.stopped) {
      if (capture === null) this.deps.log("job.prompt-unreadable", { ...log, question: clip(asked.question, 200) });
      return;
    }
    const shown = { kind: "question", question: optionsLine(capture) ?? "", labels, at: event.at, call: ASK_TOOL, denyKey: "" } as const;
    const { item, created } = await this.open(dialog, shown, (where) => promptQuestionItem(questionAsk(where, asked, capture), this.deps.redact));
    if (created) this.deps.log("job.question-asked", { ...log, item, options: labels.length });
  }

  /**
   * Presses the digit of the option the person picked, computed from the item's labels, and only while the
   * screen still shows the same dialog with that option at that digit. The person's text is never typed.
   */
  private async choose(asked: Asked, label: string, by: string): Promise<void> {
    const index = asked.labels.indexOf(label);
    const key = String(index + 1);
    const log = { taskId: this.record.id, session: this.pane.name, item: asked.item, choice: label, by, key };
    const pressed = (attempt: number) => this.deps.log("job.prompt-answered", { ...log, attempt });
    const went = index < 0 ? null : await this.channel.input(() => pressOption(this.pane, asked.question, asked.labels, key, pressed));
    this.asked = null;
    await this.deps.asks.clear(this.pane.name, asked.dialog);
    if (went !== true)
      this.deps.log("job.prompt-answer-unapplied", { ...log, why: index < 0 ? "not one of its options" : "the dialog was no longer on screen" });
  }

  /** Opens the item of `dialog` (another dialog's item withdrawn first) and keeps what it asks: the item's id, and whether it is new. */
  private async open(
    dialog: string,
    asked: Omit<Asked, "dialog" | "item" | "missing">,
    itemOf: (where: AskedWhere) => NewInboxItem,
  ): Promise<{ item: string; created: boolean }> {
    const before = await this.deps.asks.get(this.pane.name);
    if (before && before.dialog !== dialog) await this.retire(before, ANOTHER_QUESTION);
    const item = await this.deps.asks.claim({ session: this.pane.name, dialog, taskId: this.record.id, question: asked.question }, newInboxId());
    const opened = await this.deps.inbox.open(itemOf({ id: item, agent: this.record.agent, session: this.pane.name, taskId: this.record.id }));
    this.asked = { ...asked, dialog, item, missing: 0 };
    return { item, created: opened.created };
  }

  private async retire(asked: Pick<Asked, "dialog" | "item">, why: string): Promise<void> {
    if (this.asked?.dialog === asked.dialog) this.asked = null;
    if (await this.deps.inbox.withdraw(asked.item, why))
      this.deps.log("job.prompt-withdrawn", { taskId: this.record.id, session: this.pane.name, item: asked.item, why });
    await this.deps.asks.clear(this.pane.name, asked.dialog);
  }
}
