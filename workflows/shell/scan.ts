import { type CmdFrame, CommandBuilder } from "./commands.js";
import { HeredocQueue } from "./heredoc-queue.js";
import type { Edit, Scan, Slot } from "./model.js";
import { commentSlots, tagSlot } from "./tag-slot.js";

/**
 * Reads a bash script the way bash tokenizes it, far enough to know, for each
 * `{{…}}` tag, its quoting context, the word and simple command it belongs to,
 * and whether it sits where bash evaluates text (arithmetic, `${…}`,
 * backquotes). It never needs to be exact for safety: a tag is only ever
 * replaced by a reference to a variable, so a context read wrongly gives a
 * wrongly quoted reference, not code. Its reading of commands feeds the
 * warnings (risks.ts).
 */
type Frame = CmdFrame | { readonly t: "dq" | "sq" | "ansi" | "bq" | "hd" } | { readonly t: "param" | "arith"; depth: number };

export function scanShell(source: string): Scan {
  return new Scanner(source).scan();
}

class Scanner {
  private readonly tags = new Map<number, number>();
  private readonly slots: Slot[] = [];
  private readonly edits: Edit[] = [];
  private readonly cmds: CommandBuilder;
  private readonly heredocs: HeredocQueue;
  private stack: Frame[] = [];
  private escapedTag = -1;

  constructor(private readonly src: string) {
    for (const m of src.matchAll(/\{\{[^{}]*\}\}/g)) this.tags.set(m.index, m.index + m[0].length);
    this.cmds = new CommandBuilder(src);
    this.heredocs = new HeredocQueue(src, this.tags, { slots: this.slots, edits: this.edits }, (start, end) => {
      const before = this.slots.length;
      this.run(start, end, [{ t: "hd" }]);
      return this.slots.slice(before);
    });
  }

  scan(): Scan {
    this.run(0, this.src.length, [this.cmds.open(null)]);
    this.slots.sort((a, b) => a.start - b.start);
    return { slots: this.slots, edits: this.edits, commands: this.cmds.commands };
  }

  private run(from: number, to: number, stack: Frame[]): void {
    const saved = this.stack;
    this.stack = stack;
    let i = from;
    while (i < to) i = this.step(i, to);
    for (const frame of this.stack) if (frame.t === "cmd") this.cmds.endWord(frame, to);
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
    if (s[i + 1] === "(") return this.push(this.cmds.open(")"), i + 2);
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
    const slot = tagSlot(this.src, start, end, this.stack, this.escapedTag === start);
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
    if (c === " " || c === "\t") return (this.cmds.endWord(f, i), i + 1);
    if (c === "\n") {
      this.cmds.endCommand(f, i, false);
      return this.heredocs.bodies(i + 1, to);
    }
    if (c === "#" && f.word === null) return this.comment(i, to);
    if (c === "\\" && s[i + 1] === "\n") return i + 2;
    const inTest = f.test ? this.cmds.testChar(f, i) : null;
    if (inTest !== null) return inTest;
    if ((c === "<" || c === ">") && s[i + 1] === "(") return (this.cmds.endWord(f, i), this.push(this.cmds.open(")"), i + 2));
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
      if (f.word !== null && s[i - 1] === "=") return this.push(this.cmds.open(")", true), i + 1);
      this.cmds.endWord(f, i);
      if (f.cmd.words.length === 0 && s[i + 1] === "(") return this.push({ t: "arith", depth: 0 }, i + 2);
      return this.push(this.cmds.open(")"), i + 1);
    }
    if (c === ")") {
      if (f.cases > 0) return (this.cmds.endCommand(f, i, false), i + 1); // the end of a case pattern
      this.cmds.endCommand(f, i, false);
      if (f.close === ")") this.stack.pop();
      return i + 1;
    }
    const op = [";;&", "&&", "||", ";;", ";&", "|&"].find((o) => s.startsWith(o, i)) ?? c;
    this.cmds.endCommand(f, i, op === "|" || op === "|&");
    return i + op.length;
  }

  private redirect(f: CmdFrame, i: number): number {
    const op = /^(?:&>>?|<<<|<<-?|<>|>>|>&|<&|>\||[<>])/.exec(this.src.slice(i, i + 4))?.[0] ?? this.src[i]!;
    this.cmds.beforeRedirect(f, i);
    if (op === "<<" || op === "<<-") return this.heredocs.open(f.cmd, i + op.length, op === "<<-");
    f.redirect = op;
    return i + op.length;
  }

  private comment(i: number, to: number): number {
    const nl = this.src.indexOf("\n", i);
    const end = nl < 0 || nl > to ? to : nl;
    this.slots.push(...commentSlots(this.src, this.tags, i, end));
    return end;
  }
}
