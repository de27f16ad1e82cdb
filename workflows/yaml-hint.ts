/**
 * A YAML syntax error on a line that holds a command (`task:`, `gate:`,
 * `rollback:`, `approval:`) is nearly always the command's own text read as
 * YAML: `echo a: b` (a nested mapping), `"x" && y` (text after a quoted
 * scalar), `- x`, `&`, `*`, `#`. A block scalar (`task: |`) takes any text
 * as it is.
 */
const COMMAND_LINE = /^(\s*(?:-\s+)?)(task|gate|rollback|approval)\s*:\s*(\S.*)$/;

/** The hint for syntax errors on these 1-based lines of `text`, or null when none is on a command line. */
export function commandLineHint(text: string, lines: readonly number[]): string | null {
  const source = text.split(/\r?\n/);
  for (const line of lines) {
    const match = COMMAND_LINE.exec(source[line - 1] ?? "");
    if (!match) continue;
    const [, , key, value] = match as unknown as [string, string, string, string];
    return `the ${key} on line ${line} is read as YAML: write it as a block, with its text on the next line, indented:\n  ${key}: |\n    ${value.trimEnd()}`;
  }
  return null;
}
