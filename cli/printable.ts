/**
 * Text from outside (item questions, answers, roles, step outputs) on its way to a
 * person's terminal: control characters, escape sequences included, become `?`,
 * tabs and newlines stay. Stands in for core/ansi.ts's `terminalText` (branch
 * h-term); point these calls at it once that branch is merged.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "?");
}
