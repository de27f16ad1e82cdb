import type { Command, Word } from "./model.js";

/** The simple command being read at one nesting level: the script, a `$(…)`, a `( … )`, an array's elements. */
export interface CmdFrame {
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

function newCommand(data = false, pipeline: Command[] = []): Command {
  const cmd: Command = { words: [], redirects: [], heredocs: [], pipeline, data };
  pipeline.push(cmd);
  return cmd;
}

/**
 * Groups the words the scanner reads into simple commands and pipelines, in
 * the order they start, and keeps the state a command's words set for the
 * characters after them (an open `case`, a `[[ … ]]` expression).
 */
export class CommandBuilder {
  readonly commands: Command[] = [];

  constructor(private readonly src: string) {}

  /** A new nesting level with its first, empty command; `data` marks an array's elements (words, never a command). */
  open(close: ")" | null, data = false): CmdFrame {
    const cmd = newCommand(data);
    this.commands.push(cmd);
    return { t: "cmd", close, cmd, word: null, cases: 0, redirect: null, test: false };
  }

  /** Inside `[[ … ]]`, `]]`, `&&`, `||` and `()<>` are words of the expression: the index after one, or null for any other character. */
  testChar(f: CmdFrame, i: number): number | null {
    const s = this.src;
    if (f.word === null && s.startsWith("]]", i)) {
      f.word = { start: i, end: i + 2, slots: [] };
      return (this.endWord(f, i + 2), i + 2);
    }
    if (s.startsWith("&&", i) || s.startsWith("||", i)) {
      this.endWord(f, i);
      f.cmd.words.push({ start: i, end: i + 2, slots: [] });
      return i + 2;
    }
    if ("()<>".includes(s[i]!)) return ((f.word ??= { start: i, end: i, slots: [] }), i + 1);
    return null;
  }

  /** A redirection operator at `i` ends the word before it, unless that word is its file descriptor. */
  beforeRedirect(f: CmdFrame, i: number): void {
    // `2>&1`, `{fd}>file`: the number or name right before the operator is part of it, not a word.
    if (f.word !== null && /^(?:\d+|\{[A-Za-z_]\w*\})$/.test(this.src.slice(f.word.start, i))) f.word = null;
    else this.endWord(f, i);
  }

  endWord(f: CmdFrame, i: number): void {
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

  /** Ends the frame's command at `i`; a pipe keeps the next command in the same pipeline. */
  endCommand(f: CmdFrame, i: number, pipe: boolean): void {
    this.endWord(f, i);
    f.test = false;
    const { cmd } = f;
    if (cmd.words.length === 0 && cmd.redirects.length === 0 && cmd.heredocs.length === 0 && !pipe) return;
    f.cmd = newCommand(cmd.data, pipe ? cmd.pipeline : []);
    this.commands.push(f.cmd);
  }
}
