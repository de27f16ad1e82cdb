import type { Edit } from "./model.js";

/**
 * The pieces of a heredoc, read as bash reads them: the delimiter word after
 * `<<` (quoted in any part means a literal body), the body's lines up to the
 * delimiter line, and the escapes that keep a quoted body literal once it is
 * written unquoted (so that references to our variables in it expand).
 */

/** The delimiter word starting at `at` (after `<<` and blanks), its text without quotes, and where it ends. */
export function readDelimiter(src: string, at: number): { delimiter: string; quoted: boolean; end: number } {
  let j = at;
  let delimiter = "";
  let quoted = false;
  while (j < src.length && !/[\s;&|<>()]/.test(src[j]!)) {
    const c = src[j]!;
    if (c === "'" || c === '"') {
      const close = src.indexOf(c, j + 1);
      const stop = close < 0 ? src.length : close;
      delimiter += src.slice(j + 1, stop);
      quoted = true;
      j = stop + 1;
    } else if (c === "\\") {
      delimiter += src[j + 1] ?? "";
      quoted = true;
      j += 2;
    } else {
      delimiter += c;
      j++;
    }
  }
  return { delimiter, quoted, end: Math.min(j, src.length) };
}

/** The body that starts at `from`: up to the line equal to the delimiter (leading tabs stripped for `<<-`), or to `to`. */
export function bodyRange(src: string, from: number, to: number, delimiter: string, strip: boolean): { start: number; end: number; next: number } {
  let j = from;
  while (j < to) {
    const nl = src.indexOf("\n", j);
    const k = nl < 0 || nl > to ? to : nl;
    const line = src.slice(j, k);
    if ((strip ? line.replace(/^\t+/, "") : line) === delimiter) return { start: from, end: j, next: Math.min(k + 1, to) };
    j = k + 1;
  }
  return { start: from, end: to, next: to };
}

/** A delimiter that reads the same written without quotes. */
export function plainDelimiter(delimiter: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(delimiter);
}

/** Backslashes before each `\`, `$` and backquote of [start, end) outside the tags: an unquoted body that says what the quoted one said. */
export function literalEscapes(src: string, start: number, end: number, tags: readonly (readonly [number, number])[]): Edit[] {
  const edits: Edit[] = [];
  let k = start;
  const escapeUpTo = (stop: number): void => {
    for (; k < stop; k++) if ("\\$`".includes(src[k]!)) edits.push({ start: k, end: k, text: "\\" });
  };
  for (const [tagStart, tagEnd] of tags) {
    escapeUpTo(tagStart);
    k = tagEnd;
  }
  escapeUpTo(end);
  return edits;
}
