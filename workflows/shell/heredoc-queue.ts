import { bodyRange, literalEscapes, plainDelimiter, readDelimiter } from "./heredoc.js";
import type { Command, Edit, Heredoc, Slot } from "./model.js";

interface Pending {
  readonly heredoc: Heredoc;
  readonly strip: boolean;
  readonly delimiterStart: number;
  readonly delimiterEnd: number;
}

/**
 * The heredocs a line opens, queued until its newline, then their bodies read
 * one after the other as bash does. It adds the slots of the tags it finds
 * (in a delimiter, in a quoted body) and the edits that keep a quoted body
 * literal; an unquoted body is read by the scanner through `scanBody`.
 */
export class HeredocQueue {
  private pending: Pending[] = [];

  constructor(
    private readonly src: string,
    private readonly tags: ReadonlyMap<number, number>,
    private readonly out: { readonly slots: Slot[]; readonly edits: Edit[] },
    private readonly scanBody: (start: number, end: number) => Slot[],
  ) {}

  /** `<<` or `<<-` (strip) ends before `j`: reads the delimiter word, queues the heredoc on `cmd`, and returns where the word ends. */
  open(cmd: Command, j: number, strip: boolean): number {
    while (this.src[j] === " " || this.src[j] === "\t") j++;
    const { delimiter, quoted, end } = readDelimiter(this.src, j);
    for (const [tagStart, tagEnd] of this.tags) {
      if (tagStart < j || tagEnd > end) continue;
      const raw = this.src.slice(tagStart, tagEnd);
      this.out.slots.push({ start: tagStart, end: tagEnd, raw, context: "unquoted", unsafe: `${raw} is a heredoc's delimiter: write the delimiter itself` });
    }
    const heredoc: Heredoc = { delimiter, quoted, slots: [] };
    cmd.heredocs.push(heredoc);
    this.pending.push({ heredoc, strip, delimiterStart: j, delimiterEnd: end });
    return end;
  }

  /** The bodies of the heredocs opened on the line that just ended, one after the other, from `j`; returns where they end. */
  bodies(j: number, to: number): number {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      const { start, end, next } = bodyRange(this.src, j, to, p.heredoc.delimiter, p.strip);
      this.body(p, start, end);
      j = next;
    }
    return j;
  }

  private body(p: Pending, start: number, end: number): void {
    const inside = [...this.tags].filter(([s, e]) => s >= start && e <= end);
    if (inside.length === 0) return;
    const { heredoc } = p;
    if (!heredoc.quoted) {
      heredoc.slots.push(...this.scanBody(start, end));
      return;
    }
    // A quoted heredoc's body is literal: written unquoted with its own \ $ ` escaped, it stays literal,
    // and the references to our variables in it expand (to text, never to code).
    const plain = plainDelimiter(heredoc.delimiter);
    this.out.edits.push({ start: p.delimiterStart, end: p.delimiterEnd, text: heredoc.delimiter }, ...literalEscapes(this.src, start, end, inside));
    for (const [tagStart, tagEnd] of inside) {
      const raw = this.src.slice(tagStart, tagEnd);
      const unsafe = plain
        ? null
        : `${raw} is in a quoted heredoc whose delimiter "${heredoc.delimiter}" cannot be written unquoted: use letters, digits, _ . and -`;
      const slot: Slot = { start: tagStart, end: tagEnd, raw, context: "heredoc-quoted", unsafe };
      this.out.slots.push(slot);
      heredoc.slots.push(slot);
    }
  }
}
