import { bodyRange, literalEscapes, plainDelimiter, readDelimiter } from "./heredoc.js";
import type { Command, Edit, Heredoc, Scan, Slot, SlotContext, Word } from "./model.js";

/**
 * Reads a bash script the way bash tokenizes it, far enough to know, for each
 * `{{…}}` tag, its quoting context, the word and simple command it belongs to,
 * and whether it sits where bash evaluates text (arithmetic, `${…}`,
 * backquotes). It never needs to be exact for safety: a tag is only ever
 * replaced by a reference to a variable, so a context read wrongly gives a
 * wrongly quoted reference, not code. Its reading of commands feeds the
 * warnings (risks.ts).
 */
interface CmdFrame {
  readonly t: "cmd";
  readonly close: ")" | null;
  cmd: Command;
  word: Word | null;
  /** Open `case … esac` here: a `)` ends a pattern, not the frame. */
  cases: number;
  /** The word being read is the target of this redirection operator. */
  redirect: string | null;
  /** Inside `[[ … ]]`, where `&&`, `(`, `<` … belong to the expression. */
  test: boolean;
}
type Frame = CmdFrame | { readonly t: "dq" | "sq" | "ansi" | "bq" | "hd" } | { readonly t: "param" | "arith"; depth: number };

interface Pending {
  readonly heredoc: Heredoc;
  readonly strip: boolean;
  readonly delimiterStart: number;
  readonly delimiterEnd: number;
}

const EVALUATED: Record<"bq" | "param" | "arith", string> = {
  bq: "is inside backquotes, whose text bash parses again: use $(…) instead",
  param: "is inside a ${…} expansion, where bash may evaluate it as arithmetic (offsets, array subscripts): assign it to a variable first",
  arith: "is inside an arithmetic expression, which evaluates it (a value like a[$(cmd)] runs cmd): check that it is a number first, e.g. [[ $n =~ ^[0-9]+$ ]]",
};

export function scanShell(source: string): Scan {
  return new Scanner(source).scan();
}

function newCommand(data = false, pipeline: Command[] = []): Command {
  const cmd: Command = { words: [], redirects: [], heredocs: [], pipeline, data };
  pipeline.push(cmd);
  return cmd;
}

class Scanner {
  private readonly tags = new Map<number, number>();
  private readonly slots: Slot[] = [];
  private readonly edits: Edit[] = [];
  private readonly commands: Command[] = [];
  private stack: Frame[] = [];
  private pending: Pending[] = [];
  private escapedTag = -1;

  constructor(private readonly src: string) {
    for (const m of src.matchAll(/\{\{[^{}]*\}\}/g)) this.tags.set(m.index, m.index + m[0].length);
  }

  scan(): Scan {
    this.run(0, this.src.length, [this.cmdFrame(null)]);
    this.slots.sort((a, b) => a.start - b.start);
    return { slots: this.slots, edits: this.edits, commands: this.commands };
  }

  private cmdFrame(close: ")" | null, data = false): CmdFrame {
    const cmd = newCommand(data);
    this.commands.push(cmd);
    return { t: "cmd", close, cmd, word: null, cases: 0, redirect: null, test: false };
  }

  private run(from: number, to: number, stack: Frame[]): void {
    const saved = this.stack;
    this.stack = stack;
    let i = from;
    while (i < to) i = this.step(i, to);
    for (const frame of this.stack) if (frame.t === "cmd") this.endWord(frame, to);
    this.stack = saved;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private nearestCmd(): CmdFrame | null {
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const frame = this.stack[k]!;
      if (frame.t === "cmd") return frame;
    }
    return null;
  }

  private step(i: number, to: number): number {
    const end = this.tags.get(i);
    if (end !== undefined) return this.tag(i, end);
    const f = this.top();
    const c = this.src[i]!;
    switch (f.t) {
      case "sq":
        if (c === "'") this.stack.pop();
        return i + 1;
      case "bq":
      case "ansi":
        if (c === "\\") return this.escape(i);
        if (c === (f.t === "bq" ? "`" : "'")) this.stack.pop();
        return i + 1;
      case "dq":
      case "hd":
        if (c === "\\") return this.escape(i);
        if (c === '"' && f.t === "dq") {
          this.stack.pop();
          return i + 1;
        }
        return this.expansion(i) ?? i + 1;
      case "param":
      case "arith":
        return this.nested(f, i);
      case "cmd":
        return this.cmdChar(f, i, to);
    }
  }

  /** A backslash takes the next character; a tag right after it is noted (the backslash would apply to its reference's quote). */
  private escape(i: number): number {
    if (this.tags.has(i + 1)) {
      this.escapedTag = i + 1;
      return i + 1;
    }
    return i + 2;
  }

  /** `$(`, `$((`, `${` and backquotes, which open a nested context wherever expansions happen. */
  private expansion(i: number): number | null {
    const s = this.src;
    if (s[i] === "`") return this.push({ t: "bq" }, i + 1);
    if (s[i] !== "$") return null;
    if (s.startsWith("((", i + 1)) return this.push({ t: "arith", depth: 0 }, i + 3);
    if (s[i + 1] === "(") return this.push(this.cmdFrame(")"), i + 2);
    if (s[i + 1] === "{") return this.push({ t: "param", depth: 0 }, i + 2);
    return null;
  }

  private push(frame: Frame, next: number): number {
    this.stack.push(frame);
    return next;
  }

  private nested(f: { t: "param" | "arith"; depth: number }, i: number): number {
    const c = this.src[i]!;
    const [open, close] = f.t === "param" ? ["{", "}"] : ["(", ")"];
    if (c === open) f.depth++;
    else if (c === close && f.depth > 0) f.depth--;
    else if (c === close) {
      this.stack.pop();
      return f.t === "arith" && this.src[i + 1] === ")" ? i + 2 : i + 1;
    } else if (c === "\\") return this.escape(i);
    else if (c === "'") return this.push({ t: "sq" }, i + 1);
    else if (c === '"') return this.push({ t: "dq" }, i + 1);
    else return this.expansion(i) ?? i + 1;
    return i + 1;
  }

  private tag(start: number, end: number): number {
    const raw = this.src.slice(start, end);
    const top = this.top().t;
    const context: SlotContext = top === "sq" ? "single" : top === "ansi" ? "ansi" : top === "dq" || top === "hd" ? "double" : "unquoted";
    const slot: Slot = { start, end, raw, context, unsafe: null };
    if (this.escapedTag === start) slot.unsafe = `${raw} follows a backslash, which would apply to its reference's quote: remove the backslash`;
    // Conservative: anything under one of these frames, even inside a nested $(…), may reach an evaluation.
    const evaluated = this.stack.find((f): f is Frame & { t: "bq" | "param" | "arith" } => f.t === "bq" || f.t === "param" || f.t === "arith");
    if (evaluated !== undefined) slot.unsafe ??= `${raw} ${EVALUATED[evaluated.t]}`;
    this.slots.push(slot);
    const cmd = this.nearestCmd();
    if (cmd !== null) {
      cmd.word ??= { start, end, slots: [] };
      cmd.word.slots.push(slot);
    }
    return end;
  }

  private cmdChar(f: CmdFrame, i: number, to: number): number {
    const s = this.src;
    const c = s[i]!;
    if (c === " " || c === "\t") return (this.endWord(f, i), i + 1);
    if (c === "\n") {
      this.endCommand(f, i, false);
      return this.heredocBodies(i + 1, to);
    }
    if (c === "#" && f.word === null) return this.comment(i, to);
    if (c === "\\" && s[i + 1] === "\n") return i + 2;
    if (f.test) {
      if (f.word === null && s.startsWith("]]", i)) {
        f.word = { start: i, end: i + 2, slots: [] };
        return (this.endWord(f, i + 2), i + 2);
      }
      if (s.startsWith("&&", i) || s.startsWith("||", i)) {
        this.endWord(f, i);
        f.cmd.words.push({ start: i, end: i + 2, slots: [] });
        return i + 2;
      }
      if ("()<>".includes(c)) return ((f.word ??= { start: i, end: i, slots: [] }), i + 1);
    }
    if ((c === "<" || c === ">") && s[i + 1] === "(") return (this.endWord(f, i), this.push(this.cmdFrame(")"), i + 2));
    if (c === "<" || c === ">" || (c === "&" && s[i + 1] === ">")) return this.redirect(f, i);
    if ("();&|".includes(c)) return this.operator(f, i);
    f.word ??= { start: i, end: i, slots: [] };
    if (c === "\\") return this.escape(i);
    if (c === "'") return this.push({ t: "sq" }, i + 1);
    if (c === '"') return this.push({ t: "dq" }, i + 1);
    if (c === "$" && s[i + 1] === "'") return this.push({ t: "ansi" }, i + 2);
    if (c === "$" && s[i + 1] === '"') return this.push({ t: "dq" }, i + 2);
    return this.expansion(i) ?? i + 1;
  }

  private operator(f: CmdFrame, i: number): number {
    const s = this.src;
    const c = s[i]!;
    if (c === "(") {
      // `a=(x y)`: the elements of an array, words and never a command.
      if (f.word !== null && s[i - 1] === "=") return this.push(this.cmdFrame(")", true), i + 1);
      this.endWord(f, i);
      if (f.cmd.words.length === 0 && s[i + 1] === "(") return this.push({ t: "arith", depth: 0 }, i + 2);
      return this.push(this.cmdFrame(")"), i + 1);
    }
    if (c === ")") {
      if (f.cases > 0) return (this.endCommand(f, i, false), i + 1); // the end of a case pattern
      this.endCommand(f, i, false);
      if (f.close === ")") this.stack.pop();
      return i + 1;
    }
    const op = [";;&", "&&", "||", ";;", ";&", "|&"].find((o) => s.startsWith(o, i)) ?? c;
    this.endCommand(f, i, op === "|" || op === "|&");
    return i + op.length;
  }

  private redirect(f: CmdFrame, i: number): number {
    const op = /^(?:&>>?|<<<|<<-?|<>|>>|>&|<&|>\||[<>])/.exec(this.src.slice(i, i + 4))?.[0] ?? this.src[i]!;
    // `2>&1`, `{fd}>file`: the number or name right before the operator is part of it, not a word.
    if (f.word !== null && /^(?:\d+|\{[A-Za-z_]\w*\})$/.test(this.src.slice(f.word.start, i))) f.word = null;
    else this.endWord(f, i);
    if (op === "<<" || op === "<<-") return this.heredocOperator(f, i + op.length, op === "<<-");
    f.redirect = op;
    return i + op.length;
  }

  private heredocOperator(f: CmdFrame, j: number, strip: boolean): number {
    while (this.src[j] === " " || this.src[j] === "\t") j++;
    const { delimiter, quoted, end } = readDelimiter(this.src, j);
    for (const [tagStart, tagEnd] of this.tags) {
      if (tagStart < j || tagEnd > end) continue;
      const raw = this.src.slice(tagStart, tagEnd);
      this.slots.push({ start: tagStart, end: tagEnd, raw, context: "unquoted", unsafe: `${raw} is a heredoc's delimiter: write the delimiter itself` });
    }
    const heredoc: Heredoc = { delimiter, quoted, slots: [] };
    f.cmd.heredocs.push(heredoc);
    this.pending.push({ heredoc, strip, delimiterStart: j, delimiterEnd: end });
    return end;
  }

  /** The bodies of the heredocs opened on the line that just ended, one after the other. */
  private heredocBodies(j: number, to: number): number {
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
      const before = this.slots.length;
      this.run(start, end, [{ t: "hd" }]);
      heredoc.slots.push(...this.slots.slice(before));
      return;
    }
    // A quoted heredoc's body is literal: written unquoted with its own \ $ ` escaped, it stays literal,
    // and the references to our variables in it expand (to text, never to code).
    const plain = plainDelimiter(heredoc.delimiter);
    this.edits.push({ start: p.delimiterStart, end: p.delimiterEnd, text: heredoc.delimiter }, ...literalEscapes(this.src, start, end, inside));
    for (const [tagStart, tagEnd] of inside) {
      const raw = this.src.slice(tagStart, tagEnd);
      const unsafe = plain
        ? null
        : `${raw} is in a quoted heredoc whose delimiter "${heredoc.delimiter}" cannot be written unquoted: use letters, digits, _ . and -`;
      const slot: Slot = { start: tagStart, end: tagEnd, raw, context: "heredoc-quoted", unsafe };
      this.slots.push(slot);
      heredoc.slots.push(slot);
    }
  }

  private comment(i: number, to: number): number {
    const nl = this.src.indexOf("\n", i);
    const end = nl < 0 || nl > to ? to : nl;
    for (const [start, tagEnd] of this.tags) {
      if (start >= i && tagEnd <= end) this.slots.push({ start, end: tagEnd, raw: this.src.slice(start, tagEnd), context: "comment", unsafe: null });
    }
    return end;
  }

  private endWord(f: CmdFrame, i: number): void {
    const word = f.word;
    if (word === null) return;
    f.word = null;
    word.end = Math.max(word.end, i);
    if (f.redirect !== null) {
      f.cmd.redirects.push({ op: f.redirect, word });
      f.redirect = null;
      return;
    }
    const text = this.src.slice(word.start, word.end).replace(/["'\\]/g, "");
    if (f.cmd.words.length === 0) {
      if (text === "case") f.cases++;
      else if (text === "esac" && f.cases > 0) f.cases--;
      else if (text === "[[") f.test = true;
    }
    if (text === "]]") f.test = false;
    f.cmd.words.push(word);
  }

  private endCommand(f: CmdFrame, i: number, pipe: boolean): void {
    this.endWord(f, i);
    f.test = false;
    const { cmd } = f;
    if (cmd.words.length === 0 && cmd.redirects.length === 0 && cmd.heredocs.length === 0 && !pipe) return;
    f.cmd = newCommand(cmd.data, pipe ? cmd.pipeline : []);
    this.commands.push(f.cmd);
  }
}
