/**
 * The screen side of a dialog an inbox item asks about: waiting for it to be
 * drawn (the PermissionRequest hook comes first), pressing the key of a
 * person's answer only while the screen still shows that same dialog, and,
 * after a "No", waiting for the input box that says the turn ended. Apart from
 * PromptWatch, which owns the items and decides what to press: this part only
 * looks at the pane and presses keys, and never types a person's text.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentPane } from "../../transport.js";
import { readClaudeScreen } from "../screen-state.js";
import { pressOnDialog } from "./approvals.js";
import type { ClaudeChannel } from "./channel.js";
import { optionsLine, permissionDialog, showsOptions } from "./prompt-dialog.js";
import type { InteractiveClaude } from "./sessions.js";

/** How often the screen is looked at while waiting for a question dialog, or for it to go after a key. */
const QUESTION_POLL_MS = 100;
/** How long a question dialog may stay after its key before the key is sent again (into the same dialog only), and how often. */
const DIALOG_CONFIRM_MS = 2000;
const QUESTION_KEY_TRIES = 3;
/** After "No", how long Claude Code gets to show its input box again. */
const DENY_SETTLE_MS = 5000;

/** The permission dialog once the screen shows one (permissionDialog's reading, and the screen); null if it never did within `timeoutMs`. */
export async function waitForPermissionDialog(
  claude: InteractiveClaude,
  pane: AgentPane,
  timeoutMs: number,
): Promise<{ readonly capture: string; readonly question: string; readonly denyKey: string | null } | null> {
  const shown = await claude.waitForScreen(pane, (s) => s.state === "needs-input", timeoutMs);
  const capture = await pane.capture();
  const read = permissionDialog(capture);
  return shown?.state !== "needs-input" || read === null ? null : { capture, ...read };
}

/**
 * Presses an approve or deny `key` into the permission dialog that shows `question` (called inside the
 * channel's `input`): whether the dialog went, or null when the screen shows another dialog or none.
 */
export async function pressOnAskedDialog(
  claude: InteractiveClaude,
  pane: AgentPane,
  question: string,
  key: string,
  pressed: (attempt: number) => void,
): Promise<boolean | null> {
  // Only into the dialog the item asked about: another dialog (or none) gets no key.
  if (readClaudeScreen(await pane.capture()).question !== question) return null;
  return pressOnDialog(claude, pane, question, key, pressed);
}

/** After a "No" pressed at the dialog asked at `at`: whether Claude Code is back at its input box with no Stop hook since, so its turn ended there. */
export async function endedAtNo(claude: InteractiveClaude, pane: AgentPane, channel: ClaudeChannel, at: number): Promise<boolean> {
  const screen = await claude.waitForScreen(pane, (s) => s.state === "idle", DENY_SETTLE_MS);
  return screen?.state === "idle" && !channel.history.some((e) => e.at > at && (e.event === "Stop" || e.event === "StopFailure"));
}

/** The screen once it shows a question dialog whose first options are `labels` with their own digits; null if it never did, or the wait was `stopped`. */
export async function waitForOptions(pane: AgentPane, labels: readonly string[], timeoutMs: number, stopped: () => boolean): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (pane.running && !stopped()) {
    const capture = await pane.capture();
    if (showsOptions(capture, labels)) return capture;
    if (Date.now() >= deadline) return null;
    await sleep(QUESTION_POLL_MS);
  }
  return null;
}

/**
 * Presses `key` into the question dialog whose options line is `question` while it still shows `labels`
 * at their digits (called inside the channel's `input`), again while it stays up; whether the dialog went.
 */
export async function pressOption(
  pane: AgentPane,
  question: string,
  labels: readonly string[],
  key: string,
  pressed: (attempt: number) => void,
): Promise<boolean> {
  for (let attempt = 1; attempt <= QUESTION_KEY_TRIES; attempt++) {
    const capture = await pane.capture();
    // Only into the dialog the item asked about, with the option still at its digit.
    if (optionsLine(capture) !== question || !showsOptions(capture, labels)) return attempt > 1;
    await pane.key(key);
    pressed(attempt);
    if (await optionsGone(pane, question, DIALOG_CONFIRM_MS)) return true;
  }
  return false;
}

/** Whether the dialog showing `question` left the screen within `timeoutMs`. */
async function optionsGone(pane: AgentPane, question: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (optionsLine(await pane.capture()) !== question) return true;
    if (Date.now() >= deadline) return false;
    await sleep(QUESTION_POLL_MS);
  }
}
