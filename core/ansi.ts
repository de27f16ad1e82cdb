/**
 * Removes terminal control sequences (CSI, OSC, other escapes) and lone
 * carriage returns before a newline, leaving the text a person would read.
 */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "").replace(/\r+\n/g, "\n");
}
