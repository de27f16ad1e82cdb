import { terminalText } from "../core/index.js";

/**
 * What the CLI prints for a person. Task text and output, results, events,
 * step outputs, approval questions, params, model answers and names read from
 * Redis are not ours: everything goes through `terminalText` (core/ansi.ts), so
 * only printable text, `\n` and `\t` reach the terminal. `--json` output is
 * written as it is by `printJson` (cli/context.ts): JSON escaping makes every
 * control character inert, and scripts get the bytes that were stored.
 */
export function print(text: string): void {
  process.stdout.write(terminalText(text));
}

/** `print` for stderr: warnings, progress lines, errors. */
export function printError(text: string): void {
  process.stderr.write(terminalText(text));
}

/**
 * Our own cursor movement around lines already passed through `terminalText`
 * or `terminalLine` (monitor's live table): the one raw write for people.
 */
export function printControlled(
  control: { before: string; line: string; after: string },
  lines: readonly string[],
  stream: NodeJS.WriteStream = process.stdout,
): void {
  const safe = lines.map((line) => terminalText(line).replace(/\n/g, " "));
  stream.write(`${control.before}${safe.map((line) => `${control.line}${line}\n`).join("")}${control.after}`);
}

/** One JSON object on one line (`logs --json`, `monitor --json`): raw, like `printJson`. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
