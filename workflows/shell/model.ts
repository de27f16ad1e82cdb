/**
 * What the scanner (scan.ts) learns about a bash script with `{{…}}` tags in it,
 * and what the rules (risks.ts) and the renderer (../shell-render.ts) work from.
 */

/** Where a tag sits, as bash reads the script; it decides how a reference to its variable is quoted there. */
export type SlotContext =
  /** A word outside quotes: `"${VAR?}"`. */
  | "unquoted"
  /** Inside "…" (or an unquoted heredoc's body): `${VAR?}`. */
  | "double"
  /** Inside '…': close the quotes, `"${VAR?}"`, reopen. */
  | "single"
  /** Inside $'…': the same with `$'` to reopen. */
  | "ansi"
  /** A comment: bash never reads it; the reference is only text. */
  | "comment"
  /** The body of a quoted heredoc (`<<'EOF'`), rewritten as an unquoted one whose own `\`, `$` and backquotes are escaped. */
  | "heredoc-quoted";

export interface Slot {
  readonly start: number;
  readonly end: number;
  /** The tag as written, `{{params.env}}`. */
  readonly raw: string;
  readonly context: SlotContext;
  /** Why no reference can keep its value from becoming code here; null when it is safe. */
  unsafe: string | null;
}

/** A replacement of the source's text other than a tag (heredoc rewrites). */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A word of a simple command: its source range and the tags that sit in it directly (not in a nested `$(…)`). */
export interface Word {
  readonly start: number;
  end: number;
  readonly slots: Slot[];
}

export interface Heredoc {
  readonly delimiter: string;
  readonly quoted: boolean;
  /** Tags in its body. */
  readonly slots: Slot[];
}

export interface Command {
  readonly words: Word[];
  /** Redirection targets with their operator (`<<<` feeds the word to the command's input). */
  readonly redirects: { readonly op: string; readonly word: Word }[];
  readonly heredocs: Heredoc[];
  /** The commands joined to this one by `|`, in order, this one included. */
  readonly pipeline: Command[];
  /** Array literal elements (`a=(…)`): words, never a command. */
  readonly data: boolean;
}

export interface Scan {
  readonly slots: readonly Slot[];
  readonly edits: readonly Edit[];
  readonly commands: readonly Command[];
}

/** A word's text with quotes and backslashes removed, for comparing it with command names. */
export function literal(source: string, word: Word): string {
  return source.slice(word.start, word.end).replace(/["'\\]/g, "");
}
