/**
 * Claude Code's TUI state read from its screen (capture-pane text): the
 * fallback for what no hook reports. Hooks say when a turn starts, asks and
 * ends; nothing says when the TUI is ready for input after start-up, or idle
 * again after Escape interrupted a turn (no Stop hook then). A pure function,
 * tested against screens captured from the real program, one folder per
 * version (test/fixtures/agents/claude/screens/<version>/).
 *
 * Landmarks (2.1.197): the input box is a `❯ ` line between two rules of
 * `─`; while a turn runs, a spinner line (`✽ Concocting… (3s · ↓ 38 tokens)`)
 * sits above it, a verb with an ellipsis (a finished turn leaves
 * `✻ Baked for 3s`, no ellipsis); a permission prompt replaces the box with
 * a question and numbered options (`❯ 1. Yes`); before the first frame the
 * screen is blank.
 */
export type ScreenState = "starting" | "idle" | "working" | "needs-input" | "needs-login" | "unknown";

export interface ScreenReading {
  readonly state: ScreenState;
  /** idle: the text waiting in the input box ("" when empty), e.g. a paste not yet submitted. */
  readonly input: string | null;
  /** needs-input: the question and its options, one line. */
  readonly question: string | null;
  /** The screen says the program has no login (needs-login, or idle with "Not logged in" above its box). */
  readonly loginNeeded?: boolean;
}

/**
 * Not logged in (2.1.332): `/login` (and onboarding without a login) shows
 * "Select login method:" and numbered options, no input box; a prompt sent
 * without a login is answered "Not logged in · Please run /login", and the
 * footer keeps "Not logged in · run /login".
 */
const LOGIN_METHOD = /^\s*Select login method:?\s*$/;
const LOGIN_MESSAGE = /Not logged in · (?:Please )?run \/login/i;

/** A program's message saying it has no login (a turn's last message, a hook's error). */
export function isLoginMessage(text: string): boolean {
  return LOGIN_MESSAGE.test(text) || /\bPlease run \/login\b/.test(text);
}

const RULE = /^─{8,}\s*$/;
const BOX_LINE = /^❯(?:\s|$)/;
const SPINNER = /^\s*[·✢✳✶✻✽*∗✺❋⏺]\s+[A-Z][\p{L}'-]*…/u;
const OLD_WORKING = /esc to interrupt/i;
const SELECTED_OPTION = /^\s*❯\s*1\.\s+\S/;
const OPTION = /^\s*(?:❯\s*)?\d+\.\s+\S/;

export function readClaudeScreen(screen: string): ScreenReading {
  const lines = withoutSidePanel(screen.split("\n")).map((line) => line.replace(/\s+$/, ""));
  if (lines.every((line) => line === "")) return { state: "starting", input: null, question: null };

  if (lines.some((line) => LOGIN_METHOD.test(line)) && !findInputBox(lines)) return { state: "needs-login", input: null, question: null, loginNeeded: true };
  const dialog = findDialog(lines);
  if (dialog) return { state: "needs-input", input: null, question: dialog };

  const box = findInputBox(lines);
  if (!box) return { state: "unknown", input: null, question: null };
  const above = lines.slice(Math.max(0, box.top - 8), box.top);
  const working = above.some((line) => SPINNER.test(line)) || lines.slice(box.top).some((line) => OLD_WORKING.test(line));
  // Still an input box (it takes the next prompt, which fails the same way): idle, with the login missing.
  if (!working && lines.slice(Math.max(0, box.top - 2)).some((line) => LOGIN_MESSAGE.test(line)))
    return { state: "idle", input: box.input, question: null, loginNeeded: true };
  return { state: working ? "working" : "idle", input: box.input, question: null };
}

/**
 * Claude Code 2.1.332 opens a panel on the right once the working tree has changes ("tool-proof.txt
 * (untracked) · New file not yet staged"), its left edge a `│` in one column of nearly every line,
 * after each line of the conversation, dialog and input box. The screen is read without it.
 */
function withoutSidePanel(lines: readonly string[]): readonly string[] {
  const filled = lines.filter((line) => line.trim() !== "");
  if (filled.length < 4) return lines;
  const columns = new Map<number, number>();
  for (const line of filled) {
    const chars = [...line];
    chars.forEach((char, at) => {
      if (char === "│" && at >= 40) columns.set(at, (columns.get(at) ?? 0) + 1);
    });
  }
  const [edge, count] = [...columns].reduce<[number, number]>((best, entry) => (entry[1] > best[1] ? entry : best), [-1, 0]);
  if (edge < 0 || count < filled.length * 0.6) return lines;
  return lines.map((line) => [...line].slice(0, edge).join(""));
}

/** The last `❯` line framed by rules: the input box, and the text typed or pasted into it. */
function findInputBox(lines: readonly string[]): { top: number; input: string } | null {
  for (let i = lines.length - 1; i > 0; i--) {
    if (!BOX_LINE.test(lines[i]!) || !RULE.test(lines[i - 1]!)) continue;
    const body: string[] = [];
    for (let j = i; j < lines.length && !RULE.test(lines[j]!); j++) body.push(lines[j]!);
    const input = body
      .map((line, n) => (n === 0 ? line.replace(/^❯\s?/, "") : line.replace(/^ {2}/, "")))
      .join("\n")
      .trim();
    return { top: i - 1, input };
  }
  return null;
}

/** A question with numbered options, the first one selected, below the last rule: a permission (or other) prompt. */
function findDialog(lines: readonly string[]): string | null {
  const selected = lastIndex(lines, (line) => SELECTED_OPTION.test(line));
  // A dialog replaces the input box: below the last rule. (A prompt "1. …" echoed in the history sits above it.)
  if (selected < 0 || selected < lastIndex(lines, (line) => RULE.test(line))) return null;
  let start = selected;
  while (start > 0 && !RULE.test(lines[start - 1]!) && selected - start < 40) start--;
  const text = lines
    .slice(start, selected)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^[╌]+$/.test(line));
  if (!text.some((line) => line.endsWith("?"))) return null;
  const options: string[] = [];
  for (let i = selected; i < lines.length && OPTION.test(lines[i]!); i++) options.push(lines[i]!.replace(/^\s*(?:❯\s*)?/, ""));
  return [...text, ...options].join(" · ");
}

function lastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** One numbered option of a question dialog as the screen shows it. */
export interface ScreenOption {
  /** The digit that picks it. */
  readonly key: string;
  readonly label: string;
}

const QUESTION_FOOTER = /Enter to select/;
const NUMBERED = /^\s*(?:❯\s*)?(\d)\.\s+(\S.*?)\s*$/;

/**
 * The numbered options of an AskUserQuestion dialog (Claude Code 2.1.332,
 * captured in screens/2.1.332/question-*.txt), or null when none is on
 * screen. The dialog replaces the input box: a tab line (`☐ Database`), the
 * question, then `❯ 1. Postgres` with its description on the next line,
 * `2. SQLite`, …, then two options Claude Code adds itself (`3. Type
 * something.` for free text, and below a rule `4. Chat about this`), and the
 * footer `Enter to select · ↑/↓ to navigate · Esc to cancel`. Options are read
 * from the last footer up to the first option; a description line (indented,
 * not numbered) is skipped. A digit picks its option at once (measured: `2`
 * answered "SQLite", no Enter needed).
 */
export function readQuestionOptions(screen: string): ScreenOption[] | null {
  const lines = withoutSidePanel(screen.split("\n")).map((line) => line.replace(/\s+$/, ""));
  const footer = lastIndex(lines, (line) => QUESTION_FOOTER.test(line));
  if (footer < 0) return null;
  const first = lastIndex(lines.slice(0, footer), (line) => /^\s*❯?\s*1\.\s+\S/.test(line));
  if (first < 0 || footer - first > 40) return null;
  const options: ScreenOption[] = [];
  for (const line of lines.slice(first, footer)) {
    const match = NUMBERED.exec(line);
    if (match && match[1] === String(options.length + 1)) options.push({ key: match[1], label: match[2]! });
  }
  return options.length > 0 ? options : null;
}
