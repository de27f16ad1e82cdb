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
 */
import {
  newInboxId,
  PROMPT_CHOICE,
  promptAskItem,
  promptDialogId,
  promptQuestionItem,
  stripAnsi,
  type InboxAnswer,
  type LogFn,
  type TaskRecord,
} from "../../../core/index.js";
import { clip } from "../../events.js";
import type { PromptInboxDeps } from "../../interactive-program.js";
import type { AgentPane } from "../../transport.js";
import { askedQuestions, toolDetail, type ClaudeHookEvent } from "../hook-events.js";
import { readClaudeScreen, readQuestionOptions } from "../screen-state.js";
import { autoApproves, pressOnDialog } from "./approvals.js";
import type { ClaudeChannel } from "./channel.js";
import { APPROVE_KEY, APPROVING_OPTION, DENYING_OPTION } from "./launch.js";
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
const EXCERPT_LINES = 20;
const EXCERPT_WIDTH = 160;
/** After "No", how long Claude Code gets to show its input box again. */
const DENY_SETTLE_MS = 5000;
/** Hook events after which the dialog before them is gone. */
const DIALOG_ENDS = new Set(["PostToolUse", "PostToolUseFailure", "PermissionDenied", "UserPromptSubmit", "Stop", "StopFailure"]);
/** Hook events that say the dialog's tool call was decided (run or refused), which only the dialog's answer does. */
const DIALOG_DECIDED = new Set(["PostToolUse", "PostToolUseFailure", "PermissionDenied"]);
const ANSWERED_IN_TERMINAL = "its dialog was answered in the session's terminal";
/** A question dialog: how often the screen is looked at while waiting for it, or for it to go after a key. */
const QUESTION_POLL_MS = 100;
/** How long a question dialog may stay after its key before the key is sent again (into the same dialog only), and how often. */
const DIALOG_CONFIRM_MS = 2000;
const QUESTION_KEY_TRIES = 3;
const ASK_CALL = "AskUserQuestion";

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
    this.halt();
    // A dialog answered in the terminal lets a short tool run and the turn end within one look (500 ms): the
    // item is withdrawn for what happened to its dialog, not for the turn's end that followed.
    const reason = (asked: Asked) => (this.dialogDecided(asked.at) ? ANSWERED_IN_TERMINAL : why);
    this.work = this.work.then(() => (this.asked ? this.retire(this.asked, reason(this.asked)) : undefined)).catch((error) => this.failed(error));
  }

  /** The bridge shuts down: the item stays open for the next bridge, which re-adopts the turn. */
  close(): void {
    this.halt();
  }

  private halt(): void {
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
    const open = this.pane.agentState === "needs-input" ? [...this.channel.history].reverse().find((e) => e.event === "PermissionRequest") : undefined;
    if (open && open.at >= this.since) return askedQuestions(open) ? this.raiseQuestion(open) : this.raise(open);
    const before = await this.deps.asks.get(this.pane.name);
    if (before) await this.retire(before, "its dialog went away while no bridge watched");
  }

  private async raise(event: ClaudeHookEvent): Promise<void> {
    if (autoApproves(this.deps.claude, this.record.agent)) return;
    const dialog = promptDialogId(this.record.id, event.at);
    if (this.asked?.dialog === dialog) return;
    if (this.asked) await this.retire(this.asked, "Claude Code went on to another question");
    const shown = await this.deps.claude.waitForScreen(this.pane, (s) => s.state === "needs-input", DIALOG_WAIT_MS);
    const capture = await this.pane.capture();
    const question = readClaudeScreen(capture).question;
    const deny = DENYING_OPTION.exec(question ?? "");
    if (shown?.state !== "needs-input" || question === null || this.dialogEnded(event.at)) return;
    if (!APPROVING_OPTION.test(question) || !deny?.[1]) {
      this.deps.log("job.prompt-unreadable", { taskId: this.record.id, session: this.pane.name, question: clip(question, 200) });
      return;
    }
    if (this.stopped) return;
    const before = await this.deps.asks.get(this.pane.name);
    if (before && before.dialog !== dialog) await this.retire(before, "Claude Code went on to another question");
    const item = await this.deps.asks.claim({ session: this.pane.name, dialog, taskId: this.record.id, question }, newInboxId());
    const tool = event.toolName ?? "a tool";
    const detail = toolDetail(event);
    const spec = { id: item, agent: this.record.agent, session: this.pane.name, taskId: this.record.id, tool, detail };
    const excerpt = excerptOf(capture);
    const ask = { ...spec, question: questionText(tool, detail), excerpt, approveOption: "1. Yes", denyOption: `${deny[1]}. No` };
    const opened = await this.deps.inbox.open(promptAskItem(ask, this.deps.redact));
    const call = detail === "" ? tool : `${tool}(${clip(detail, 70)})`;
    this.asked = { dialog, item, kind: "permission", question, labels: [], at: event.at, call: this.deps.redact(call), denyKey: deny[1], missing: 0 };
    if (opened.created) this.deps.log("job.prompt-asked", { taskId: this.record.id, session: this.pane.name, item, tool });
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
    const capture = await this.pane.capture();
    const onScreen = asked.kind === "question" ? optionsLine(capture) === asked.question : readClaudeScreen(capture).state === "needs-input";
    asked.missing = onScreen ? 0 : asked.missing + 1;
    if ((this.dialogEnded(asked.at) || asked.missing >= 2) && !this.stopped) await this.retire(asked, ANSWERED_IN_TERMINAL);
  }

  private async apply(asked: Asked, answer: Extract<InboxAnswer, { decision: string }>): Promise<void> {
    const approve = answer.decision === "approve";
    const key = approve ? APPROVE_KEY : asked.denyKey;
    const log = { taskId: this.record.id, session: this.pane.name, item: asked.item, decision: answer.decision, by: answer.by, key };
    const went = await this.channel.input(async () => {
      // Only into the dialog the item asked about: another dialog (or none) gets no key.
      if (readClaudeScreen(await this.pane.capture()).question !== asked.question) return null;
      return pressOnDialog(this.deps.claude, this.pane, asked.question, key, (attempt) => this.deps.log("job.prompt-answered", { ...log, attempt }));
    });
    this.asked = null;
    await this.deps.asks.clear(this.pane.name, asked.dialog);
    if (went === null) this.deps.log("job.prompt-answer-unapplied", { ...log, why: "the dialog was no longer on screen" });
    if (approve || !went) return;
    // Claude Code stops its turn at "No" with no Stop hook: back at its input box, the turn has ended.
    const screen = await this.deps.claude.waitForScreen(this.pane, (s) => s.state === "idle", DENY_SETTLE_MS);
    if (screen?.state !== "idle" || this.channel.history.some((e) => e.at > asked.at && (e.event === "Stop" || e.event === "StopFailure"))) return;
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
    if (this.asked) await this.retire(this.asked, "Claude Code went on to another question");
    const questions = askedQuestions(event) ?? [];
    const asked = questions[0];
    const log = { taskId: this.record.id, session: this.pane.name };
    if (questions.length !== 1 || !asked || asked.multiSelect || asked.options.length === 0 || asked.options.length > 8) {
      this.deps.log("job.question-unsupported", { ...log, questions: questions.length, multiSelect: asked?.multiSelect === true });
      return;
    }
    const labels = asked.options.map((o) => o.label);
    const capture = await this.waitForOptions(labels, DIALOG_WAIT_MS);
    if (capture === null || this.dialogEnded(event.at) || this.stopped) {
      if (capture === null) this.deps.log("job.prompt-unreadable", { ...log, question: clip(asked.question, 200) });
      return;
    }
    const shown = optionsLine(capture) ?? "";
    const before = await this.deps.asks.get(this.pane.name);
    if (before && before.dialog !== dialog) await this.retire(before, "Claude Code went on to another question");
    const item = await this.deps.asks.claim({ session: this.pane.name, dialog, taskId: this.record.id, question: shown }, newInboxId());
    const spec = { id: item, agent: this.record.agent, session: this.pane.name, taskId: this.record.id, excerpt: excerptOf(capture) };
    const opened = await this.deps.inbox.open(
      promptQuestionItem({ ...spec, header: asked.header, question: asked.question, options: asked.options }, this.deps.redact),
    );
    this.asked = { dialog, item, kind: "question", question: shown, labels, at: event.at, call: ASK_CALL, denyKey: "", missing: 0 };
    if (opened.created) this.deps.log("job.question-asked", { ...log, item, options: labels.length });
  }

  /** The screen once it shows a question dialog whose first options are `labels` with their own digits; null if it never did. */
  private async waitForOptions(labels: readonly string[], timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.pane.running && !this.stopped) {
      const capture = await this.pane.capture();
      if (showsOptions(capture, labels)) return capture;
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, QUESTION_POLL_MS));
    }
    return null;
  }

  /**
   * Presses the digit of the option the person picked, computed from the item's labels, and only while the
   * screen still shows the same dialog with that option at that digit. The person's text is never typed.
   */
  private async choose(asked: Asked, label: string, by: string): Promise<void> {
    const index = asked.labels.indexOf(label);
    const key = String(index + 1);
    const log = { taskId: this.record.id, session: this.pane.name, item: asked.item, choice: label, by, key };
    const went =
      index < 0
        ? null
        : await this.channel.input(async () => {
            for (let attempt = 1; attempt <= QUESTION_KEY_TRIES; attempt++) {
              const capture = await this.pane.capture();
              // Only into the dialog the item asked about, with the option still at its digit.
              if (optionsLine(capture) !== asked.question || !showsOptions(capture, asked.labels)) return attempt > 1;
              await this.pane.key(key);
              this.deps.log("job.prompt-answered", { ...log, attempt });
              if (await this.optionsGone(asked.question, DIALOG_CONFIRM_MS)) return true;
            }
            return false;
          });
    this.asked = null;
    await this.deps.asks.clear(this.pane.name, asked.dialog);
    if (went !== true)
      this.deps.log("job.prompt-answer-unapplied", { ...log, why: index < 0 ? "not one of its options" : "the dialog was no longer on screen" });
  }

  /** Whether the dialog showing `question` left the screen within `timeoutMs`. */
  private async optionsGone(question: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (optionsLine(await this.pane.capture()) !== question) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, QUESTION_POLL_MS));
    }
  }

  private async retire(asked: Pick<Asked, "dialog" | "item">, why: string): Promise<void> {
    if (this.asked?.dialog === asked.dialog) this.asked = null;
    if (await this.deps.inbox.withdraw(asked.item, why))
      this.deps.log("job.prompt-withdrawn", { taskId: this.record.id, session: this.pane.name, item: asked.item, why });
    await this.deps.asks.clear(this.pane.name, asked.dialog);
  }

  private dialogEnded(at: number): boolean {
    return this.channel.history.some((e) => e.at > at && DIALOG_ENDS.has(e.event));
  }

  private dialogDecided(at: number): boolean {
    return this.channel.history.some((e) => e.at > at && DIALOG_DECIDED.has(e.event));
  }
}

/** A question dialog's numbered options as the screen shows them, one line (`1. Postgres · 2. SQLite · …`), or null. */
function optionsLine(capture: string): string | null {
  const options = readQuestionOptions(capture);
  return options === null ? null : options.map((o) => `${o.key}. ${o.label}`).join(" · ");
}

/** Whether the screen shows a question dialog with `labels` as its first options, option n at digit n. */
function showsOptions(capture: string, labels: readonly string[]): boolean {
  const options = readQuestionOptions(capture);
  return options !== null && labels.every((label, i) => options[i]?.label === label && options[i]?.key === String(i + 1));
}

/** What the program asks, in words (the hook's tool and input, not the screen). */
function questionText(tool: string, detail: string): string {
  return detail === "" ? `permission to use ${tool}` : `permission to use ${tool}: ${clip(detail, 300)}`;
}

/** The pane's last lines with text on them, escape sequences and trailing blanks removed. */
export function excerptOf(capture: string): string {
  const lines = stripAnsi(capture)
    .split("\n")
    .map((line) => {
      // Indentation kept (it shows the dialog's shape); a rule as wide as the pane is cut.
      const text = line.trimEnd();
      return text.length > EXCERPT_WIDTH ? `${text.slice(0, EXCERPT_WIDTH - 1)}…` : text;
    });
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines.slice(-EXCERPT_LINES).join("\n");
}
