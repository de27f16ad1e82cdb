/**
 * What one dialog of a running turn is, read from its hooks and a captured
 * screen alone: whether a permission dialog can be answered from the inbox
 * ("1. Yes" first, a "No" at a digit), which question dialog can, what its
 * inbox item says, whether it is still on screen, and whether the hooks since
 * say it went. Pure functions, kept apart from PromptWatch (its waits, its
 * inbox items, its keys), so each reading can be tested on a screen alone.
 */
import { stripAnsi, type AgentState, type PromptAskSpec, type PromptQuestionSpec } from "../../../core/index.js";
import { clip } from "../../events.js";
import { toolDetail, type AskedQuestion, type ClaudeHookEvent } from "../hook-events.js";
import { readClaudeScreen, readQuestionOptions } from "../screen-state.js";
import { APPROVING_OPTION, DENYING_OPTION } from "./launch.js";

const EXCERPT_LINES = 20;
const EXCERPT_WIDTH = 160;
/** A question dialog shows its options at the digits 1-8: one with more is left to someone attached. */
const MAX_OPTIONS = 8;
/** Hook events after which the dialog before them is gone. */
const DIALOG_ENDS = new Set(["PostToolUse", "PostToolUseFailure", "PermissionDenied", "UserPromptSubmit", "Stop", "StopFailure"]);
/** Hook events that say the dialog's tool call was decided (run or refused), which only the dialog's answer does. */
const DIALOG_DECIDED = new Set(["PostToolUse", "PostToolUseFailure", "PermissionDenied"]);

/** Who asks, where: the fields every prompt item names. */
export interface AskedWhere {
  /** The inbox item's id. */
  readonly id: string;
  readonly agent: string;
  readonly session: string;
  readonly taskId: string;
}

/** The permission dialog on screen: its question line, and the digit of its "No" (null when its options cannot be answered by a key). */
export function permissionDialog(capture: string): { readonly question: string; readonly denyKey: string | null } | null {
  const question = readClaudeScreen(capture).question;
  if (question === null) return null;
  const deny = DENYING_OPTION.exec(question);
  return { question, denyKey: APPROVING_OPTION.test(question) && deny?.[1] ? deny[1] : null };
}

/** The item of a permission dialog: the hook's tool and input in words, the pane's last lines, and what approve and deny press. */
export function permissionAsk(where: AskedWhere, event: ClaudeHookEvent, capture: string, denyKey: string): PromptAskSpec {
  const tool = event.toolName ?? "a tool";
  const detail = toolDetail(event);
  const question = detail === "" ? `permission to use ${tool}` : `permission to use ${tool}: ${clip(detail, 300)}`;
  return { ...where, tool, detail, question, excerpt: excerptOf(capture), approveOption: "1. Yes", denyOption: `${denyKey}. No` };
}

/** The call a permission dialog asks about, one line (`Bash(rm -rf build)`), as a deny's reason names it. */
export function callOf(event: ClaudeHookEvent): string {
  const tool = event.toolName ?? "a tool";
  const detail = toolDetail(event);
  return detail === "" ? tool : `${tool}(${clip(detail, 70)})`;
}

/** The one question of an AskUserQuestion call the inbox can answer: single-choice, with 1 to MAX_OPTIONS options; null for any other. */
export function raisableQuestion(questions: readonly AskedQuestion[]): AskedQuestion | null {
  const asked = questions[0];
  if (questions.length !== 1 || !asked || asked.multiSelect || asked.options.length === 0 || asked.options.length > MAX_OPTIONS) return null;
  return asked;
}

/** The item of a question dialog: the model's question and options, and the pane's last lines. */
export function questionAsk(where: AskedWhere, asked: AskedQuestion, capture: string): PromptQuestionSpec {
  return { ...where, header: asked.header, question: asked.question, options: asked.options, excerpt: excerptOf(capture) };
}

/** Whether the screen still shows the dialog an item asked about: a question by its options line, a permission prompt by the state it reads as. */
export function stillShown(kind: "permission" | "question", question: string, capture: string): boolean {
  return kind === "question" ? optionsLine(capture) === question : readClaudeScreen(capture).state === "needs-input";
}

/** A question dialog's numbered options as the screen shows them, one line (`1. Postgres · 2. SQLite · …`), or null. */
export function optionsLine(capture: string): string | null {
  const options = readQuestionOptions(capture);
  return options === null ? null : options.map((o) => `${o.key}. ${o.label}`).join(" · ");
}

/** Whether the screen shows a question dialog with `labels` as its first options, option n at digit n. */
export function showsOptions(capture: string, labels: readonly string[]): boolean {
  const options = readQuestionOptions(capture);
  return options !== null && labels.every((label, i) => options[i]?.label === label && options[i]?.key === String(i + 1));
}

/** The PermissionRequest of a dialog open when the watch starts (a re-adopted turn), if it belongs to the turn submitted at `since`. */
export function openRequest(state: AgentState | null, history: readonly ClaudeHookEvent[], since: number): ClaudeHookEvent | undefined {
  const open = state === "needs-input" ? [...history].reverse().find((e) => e.event === "PermissionRequest") : undefined;
  return open && open.at >= since ? open : undefined;
}

/** Whether a hook after the dialog's PermissionRequest (at `at`) says the dialog is gone. */
export function dialogEnded(history: readonly ClaudeHookEvent[], at: number): boolean {
  return history.some((e) => e.at > at && DIALOG_ENDS.has(e.event));
}

/** Whether a hook after the dialog's PermissionRequest says its call was decided: only its answer does that. */
export function dialogDecided(history: readonly ClaudeHookEvent[], at: number): boolean {
  return history.some((e) => e.at > at && DIALOG_DECIDED.has(e.event));
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
