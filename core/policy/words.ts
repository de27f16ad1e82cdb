/**
 * Shell words as bash sees them after quote removal, built from the parser's
 * nodes: `r''m`, `\rm`, `"r"m`, `$'\x72m'` and `r\<newline>m` are all the
 * word `rm`. What only the running shell knows (`$x`, `$(…)`, `{a,b}`, globs)
 * stays marked as dynamic, with its source text, so rules can tell a literal
 * `/` from a `$dir/` that may become one.
 */
import type { Node } from "web-tree-sitter";

export type DynamicKind = "param" | "command" | "arith" | "other";

export interface Dynamic {
  readonly kind: DynamicKind;
  /** `param`: the variable (`HOME`, `1`, `@`). */
  readonly name?: string;
  /** `param`: the operator of `${name<op>operand}` (`:-`, `:?`, `#`, …); absent for `$name`. */
  readonly op?: string;
  readonly operand?: Word;
}

export interface Segment {
  /** The text after quote removal; for a dynamic segment, its source text. */
  readonly text: string;
  readonly quoted: boolean;
  readonly dynamic: Dynamic | null;
}

export interface Word {
  readonly segments: readonly Segment[];
  readonly start: number;
  readonly end: number;
}

/** Only backslash-newlines: what bash deletes before it splits words, so two nodes separated by it are one word. */
export const CONTINUATION_ONLY = /^(?:\\\n)*$/;

/** One word from adjacent nodes (tree-sitter splits `r\<newline>m` and `$"…"` into several). */
export function wordOf(nodes: readonly Node[]): Word {
  const segments: Segment[] = [];
  parts(nodes, segments, false);
  return { segments: merged(segments), start: nodes[0]?.startIndex ?? 0, end: nodes.at(-1)?.endIndex ?? 0 };
}

/** Neighbouring literal segments quoted alike become one, so `/{bin,etc}` (three nodes to the grammar) reads as one brace expression. */
function merged(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (last && !last.dynamic && !segment.dynamic && last.quoted === segment.quoted) out[out.length - 1] = { ...last, text: last.text + segment.text };
    else out.push(segment);
  }
  return out;
}

/** The word's text: literal parts as bash passes them, dynamic parts as written. */
export function textOf(word: Word): string {
  let text = "";
  for (const segment of word.segments) text += segment.text;
  return text;
}

/** The word's value when it is known before the shell runs: no expansion, substitution, brace or glob. */
export function staticValue(word: Word): string | null {
  let text = "";
  for (const segment of word.segments) {
    if (segment.dynamic || (!segment.quoted && /[*?[]|\{.*(?:,|\.\.).*\}/.test(segment.text))) return null;
    text += segment.text;
  }
  return text;
}

export function isDynamic(word: Word): boolean {
  return staticValue(word) === null;
}

function parts(nodes: readonly Node[], out: Segment[], quoted: boolean): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const next = nodes[i + 1];
    // `$"…"` (a translated string) comes as a lone `$` before the string: bash drops the `$`.
    if (node.type === "$" && !quoted && next && next.startIndex === node.endIndex && next.text.startsWith('"')) continue;
    segment(node, out, quoted);
  }
}

function segment(node: Node, out: Segment[], quoted: boolean): void {
  // Each node property is a call into WebAssembly: the type decides which others are needed.
  const type = node.type;
  const source = node.text;
  switch (type) {
    case "word":
      return void out.push({ text: unescapeUnquoted(source), quoted, dynamic: null });
    case "number":
      if (node.namedChildCount > 0) return void out.push(dynamicSegment(source, quoted, "other"));
      return void out.push({ text: source, quoted, dynamic: null });
    case "raw_string":
      return void out.push({ text: source.slice(1, -1), quoted: true, dynamic: null });
    case "ansi_c_string":
      return void out.push({ text: decodeAnsiC(source.slice(2, -1)), quoted: true, dynamic: null });
    case "string":
      return stringParts(node, out);
    case "translated_string":
    case "concatenation":
      return parts(
        node.children.filter((child): child is Node => child !== null),
        out,
        quoted,
      );
    case "simple_expansion":
      return void out.push({ text: source, quoted, dynamic: { kind: "param", name: source.slice(1) } });
    case "expansion":
      return void out.push({ text: source, quoted, dynamic: expansion(node) });
    case "command_substitution":
    case "process_substitution":
      return void out.push(dynamicSegment(source, quoted, "command"));
    case "arithmetic_expansion":
      return void out.push(dynamicSegment(source, quoted, "arith"));
    default:
      // A token (`$`, `=`) is its text; brace_expression, extglob patterns, ERROR and anything newer are not resolved here.
      return void out.push(node.isNamed ? dynamicSegment(source, quoted, "other") : { text: source, quoted, dynamic: null });
  }
}

/** A double-quoted string: its content nodes, with the text between them (which the grammar leaves out) filled in. */
function stringParts(node: Node, out: Segment[]): void {
  const source = node.text;
  const base = node.startIndex;
  let at = 1;
  for (const child of node.namedChildren) {
    if (!child) continue;
    const from = child.startIndex - base;
    if (from > at) out.push({ text: unescapeDoubleQuoted(source.slice(at, from)), quoted: true, dynamic: null });
    if (child.type === "string_content") out.push({ text: unescapeDoubleQuoted(child.text), quoted: true, dynamic: null });
    else segment(child, out, true);
    at = child.endIndex - base;
  }
  const end = source.endsWith('"') && source.length > 1 ? source.length - 1 : source.length;
  if (end > at) out.push({ text: unescapeDoubleQuoted(source.slice(at, end)), quoted: true, dynamic: null });
}

function dynamicSegment(text: string, quoted: boolean, kind: DynamicKind): Segment {
  return { text, quoted, dynamic: { kind } };
}

const EXPANSION_OPS = new Set([":-", "-", ":=", "=", ":?", "?", ":+", "+", "#", "##", "%", "%%", "/", "//", "/#", "/%", "^", "^^", ",", ",,", "@", ":"]);

/** `${name}`, `${name:-default}`, `${#name}`, `${!name}`: the variable, the operator, and the operand word after it. */
function expansion(node: Node): Dynamic {
  let name: string | undefined;
  let op: string | undefined;
  let operand: Word | undefined;
  for (const child of node.children) {
    if (!child) continue;
    if (name === undefined && (child.type === "variable_name" || child.type === "special_variable_name")) name = child.text;
    else if (name === undefined && child.type === "subscript") name = child.childForFieldName("name")?.text ?? child.text;
    else if (name === undefined && (child.type === "#" || child.type === "!")) op = child.type === "#" ? "length" : "indirect";
    else if (name !== undefined && op === undefined && EXPANSION_OPS.has(child.type)) op = child.type;
    else if (name !== undefined && op !== undefined && operand === undefined && child.isNamed) operand = wordOf([child]);
  }
  return { kind: "param", ...(name !== undefined ? { name } : {}), ...(op !== undefined ? { op } : {}), ...(operand ? { operand } : {}) };
}

/** Outside quotes a backslash quotes the next character; backslash-newline is removed. */
export function unescapeUnquoted(text: string): string {
  return text.includes("\\") ? text.replace(/\\([\s\S])/g, (_, c: string) => (c === "\n" ? "" : c)) : text;
}

/** Inside double quotes a backslash quotes only `$`, `` ` ``, `"`, `\` and newline; elsewhere it stays. */
function unescapeDoubleQuoted(text: string): string {
  return text.includes("\\") ? text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === "\n" ? "" : c)) : text;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/** The body of `$'…'` as bash decodes it: `\n`, `\x72`, `\162`, `\u0072`, `\cA`, … */
export function decodeAnsiC(body: string): string {
  if (!body.includes("\\")) return body;
  return body.replace(
    /\\(?:([abeEfnrtv\\'"?])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|c([\s\S]))/g,
    (whole, simple?: string, octal?: string, hex?: string, u4?: string, u8?: string, control?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple] ?? whole;
      if (control !== undefined) return String.fromCharCode(control.toUpperCase().charCodeAt(0) ^ 0x40);
      const code = octal !== undefined ? parseInt(octal, 8) & 0xff : hex !== undefined ? parseInt(hex, 16) : parseInt((u4 ?? u8)!, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/** A here-document's body as the command reads it: literal when the delimiter is quoted, else with its expansions dynamic. */
export function heredocWord(body: Node, quotedDelimiter: boolean): Word {
  const base = body.startIndex;
  const source = body.text;
  if (quotedDelimiter) return { segments: [{ text: source, quoted: true, dynamic: null }], start: base, end: body.endIndex };
  const segments: Segment[] = [];
  let at = 0;
  for (const child of body.namedChildren) {
    if (!child) continue;
    const from = child.startIndex - base;
    if (from > at) segments.push({ text: unescapeHeredoc(source.slice(at, from)), quoted: true, dynamic: null });
    if (child.type === "heredoc_content") segments.push({ text: unescapeHeredoc(child.text), quoted: true, dynamic: null });
    else segment(child, segments, true);
    at = child.endIndex - base;
  }
  if (source.length > at) segments.push({ text: unescapeHeredoc(source.slice(at)), quoted: true, dynamic: null });
  return { segments, start: base, end: body.endIndex };
}

/** In an unquoted here-document a backslash quotes only `$`, `` ` ``, `\` and newline. */
function unescapeHeredoc(text: string): string {
  return text.includes("\\") ? text.replace(/\\([$`\\\n])/g, (_, c: string) => (c === "\n" ? "" : c)) : text;
}

/** A word of fixed text, for words the policy makes itself (a variable assignment's `NAME=`). */
export function literalWord(text: string, start: number, end: number): Word {
  return { segments: [{ text, quoted: true, dynamic: null }], start, end };
}
