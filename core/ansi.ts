/**
 * Terminal control sequences in text that is not ours (task output, task
 * text, step outputs, workflow params, model answers, names read from Redis).
 *
 * `stripAnsi` is for what we store: escape sequences removed for readability,
 * and no escape or C1 introducer left, so nothing stored can start a sequence.
 * `terminalText` is for what we print for a person: only printable text, `\n`
 * and `\t` survive. Removing sequences once is not enough on its own: from
 * `ESC ESC[m ]0;title BEL`, taking out `ESC[m` leaves a live OSC. Here every
 * ESC and C1 control is dropped after the well-formed sequences are removed,
 * so the result cannot contain a sequence, and a second pass changes nothing.
 *
 * Linear time: each alternative starts at ESC or a C1 introducer, and no
 * sequence body can run over another introducer or a line break, so every
 * character is looked at a bounded number of times.
 */

// Bodies of OSC/DCS/SOS/PM/APC strings: no C0 (which holds BEL and ESC, the terminators), no DEL, no C1.
const BODY = "[^\\x00-\\x1f\\x7f-\\x9f]*";
const SEQUENCE = new RegExp(
  [
    "\\x1b\\[[0-?]*[ -/]*[@-~]", // CSI
    `\\x1b\\]${BODY}(?:\\x07|\\x1b\\\\|\\x9c)`, // OSC, ended by BEL or ST
    `\\x1b[PX^_]${BODY}(?:\\x1b\\\\|\\x9c)`, // DCS, SOS, PM, APC
    "\\x1b[ -/]*[0-~]", // every other escape (charset designations, ESC 7, ESC c, …)
    "\\x9b[0-?]*[ -/]*[@-~]", // 8-bit CSI
    `\\x9d${BODY}(?:\\x07|\\x9c)`, // 8-bit OSC
    `[\\x90\\x98\\x9e\\x9f]${BODY}\\x9c`, // 8-bit DCS, SOS, PM, APC
  ].join("|"),
  "g",
);

// eslint-disable-next-line no-control-regex
const INTRODUCERS = /[\x1b\x80-\x9f]/g;

/**
 * Everything a terminal could act on, besides `\n` and `\t`: C0 controls,
 * DEL, C1 controls, and the bidirectional overrides and isolates that make a
 * terminal show text in another order than it is (U+061C, U+200E/F,
 * U+202A-E, U+2066-9).
 */
const UNSAFE_CLASS = "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]";
const UNSAFE = new RegExp(UNSAFE_CLASS, "g");
const NEEDS_WORK = new RegExp(UNSAFE_CLASS);

/** Carriage returns: a run of them, with the line feed that may follow. */
const CARRIAGE_RETURNS = /\r+\n?/g;

/** Escape sequences removed; no ESC or C1 introducer left; `\r\n` as `\n`. The stored form of output. */
export function stripAnsi(text: string): string {
  return text
    .replace(SEQUENCE, "")
    .replace(INTRODUCERS, "")
    .replace(CARRIAGE_RETURNS, (run) => (run.endsWith("\n") ? "\n" : run));
}

/**
 * Text as it may reach a person's terminal: printable characters, `\n` and
 * `\t` only. A carriage return becomes a line break: left alone, `failed\r`
 * followed by `completed` shows only "completed". Idempotent.
 */
export function terminalText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(SEQUENCE, "").replace(CARRIAGE_RETURNS, "\n").replace(UNSAFE, "");
}

/** `terminalText` on one line: line breaks and tabs become single spaces (table cells, one-line summaries). */
export function terminalLine(text: string): string {
  return terminalText(text).replace(/[\n\t]+/g, " ");
}

/** Whether `text` would reach a terminal unchanged by `terminalText`. */
export function isTerminalSafe(text: string): boolean {
  return !NEEDS_WORK.test(text);
}
