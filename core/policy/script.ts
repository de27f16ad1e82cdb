/**
 * A parsed script as the policy's rules see it: every simple command bash
 * could run (at the top level, in pipelines, lists, subshells, functions,
 * conditions, loops, command and process substitutions), with its words
 * after quote removal, its redirections and what it reads on stdin; the
 * pipelines (to see a download feeding a shell); and where the parser gave
 * up. One walk over the tree, with a cursor and no recursion, so the work is
 * linear in the tree's size and a deep nesting cannot overflow the stack.
 */
import type { Node, Tree } from "web-tree-sitter";
import { CONTINUATION_ONLY, heredocWord, literalWord, textOf, wordOf, type Word } from "./words.js";

export interface Redirect {
  /** `>`, `>>`, `&>`, `<`, … */
  readonly op: string;
  readonly target: Word | null;
}

/** The innermost function definition around a command (`f() { … }`). */
export interface FunctionScope {
  readonly name: string;
  readonly parent: FunctionScope | null;
}

export interface SimpleCommand {
  /** The command word first, then its arguments; two nodes the grammar split at a backslash-newline are one word here. */
  readonly words: readonly Word[];
  /** `NAME=value` before the command (or the operands of `export`, `local`, …). */
  readonly assignments: readonly Word[];
  readonly redirects: readonly Redirect[];
  /** A here-string or here-document the command reads, if any. */
  readonly stdin: Word | null;
  readonly start: number;
  readonly end: number;
  readonly scope: FunctionScope | null;
}

export interface Script {
  readonly source: string;
  /** In document order (by start). */
  readonly commands: readonly SimpleCommand[];
  /** Each pipeline's stages, as spans of the source: the commands inside a span belong to that stage. */
  readonly pipelines: readonly (readonly (readonly [number, number])[])[];
  /** Where the parser found a syntax error or a missing token: line, column (1-based) and the span. */
  readonly errors: readonly { readonly line: number; readonly column: number; readonly start: number; readonly end: number }[];
  /** Words the parser could not place in a command (directly inside a syntax error): they may be one. */
  readonly strays: readonly Word[];
  /** Spans run in another process: pipelines, and statements put in the background with `&`. */
  readonly spawned: readonly (readonly [number, number])[];
}

const WORDS = new Set(["word", "raw_string", "string", "concatenation", "ansi_c_string", "translated_string", "variable_name"]);
const REDIRECTS = new Set(["file_redirect", "herestring_redirect", "heredoc_redirect"]);
const NOT_A_WORD = new Set(["variable_assignment", "comment", ...REDIRECTS]);

interface Context {
  readonly end: number;
  readonly scope: FunctionScope | null;
}

/** The node types the walk looks at; everything else is reached through these. */
const LANDMARKS = ["command", "declaration_command", "unset_command", "redirected_statement", "pipeline", "&", "function_definition", "ERROR"];

export function readScript(tree: Tree, source: string): Script {
  const commands: SimpleCommand[] = [];
  const pipelines: (readonly [number, number])[][] = [];
  const errors: { line: number; column: number; start: number; end: number }[] = [];
  const strays: Word[] = [];
  const spawned: (readonly [number, number])[] = [];
  /** Redirections written after a statement (`cmd > f`, `sh <<EOF`) belong to the command that statement is. */
  const outer = new Map<number, Node[]>();
  const contexts: Context[] = [{ end: Infinity, scope: null }];
  // Every property of a node is a call into WebAssembly: one call lists the nodes that matter, in
  // document order (a parent before what it contains), instead of visiting each of the tree's nodes.
  for (const node of tree.rootNode.descendantsOfType(LANDMARKS)) {
    const type = node.type;
    while (contexts.length > 1 && contexts.at(-1)!.end <= node.startIndex) contexts.pop();
    const scope = contexts.at(-1)!.scope;
    switch (type) {
      case "command":
        commands.push(simpleCommand(node, outer, scope, source));
        break;
      case "declaration_command":
      case "unset_command":
        commands.push(declaration(node, scope));
        break;
      case "redirected_statement":
        noteRedirects(node, outer, pipelines);
        break;
      case "pipeline":
        pipelines.push(node.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment").map((c) => [c.startIndex, c.endIndex] as const));
        spawned.push([node.startIndex, node.endIndex]);
        break;
      case "&": {
        const statement = node.previousSibling;
        if (statement) spawned.push([statement.startIndex, statement.endIndex]);
        break;
      }
      case "function_definition": {
        const name = node.childForFieldName("name");
        contexts.push({ end: node.endIndex, scope: { name: name ? textOf(wordOf([name])) : "", parent: scope } });
        break;
      }
      case "ERROR":
        noteError(node, errors, strays);
        break;
    }
  }
  if (tree.rootNode.hasError) missingTokens(tree, errors);
  errors.sort((a, b) => a.start - b.start);
  return { source, commands, pipelines, errors, strays, spawned };
}

/** Tokens the parser assumed (a missing `fi`, `]`, `)`), found only in a tree that has errors. */
function missingTokens(tree: Tree, errors: Script["errors"][number][]): void {
  const cursor = tree.walk();
  try {
    for (;;) {
      if (cursor.nodeIsMissing)
        errors.push({ line: cursor.startPosition.row + 1, column: cursor.startPosition.column + 1, start: cursor.startIndex, end: cursor.endIndex });
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  } finally {
    cursor.delete();
  }
}

function noteError(node: Node, errors: Script["errors"][number][], strays: Word[]): void {
  errors.push({ line: node.startPosition.row + 1, column: node.startPosition.column + 1, start: node.startIndex, end: node.endIndex });
  for (const child of node.children) {
    if (child?.type === "command_name") strays.push(wordOf(child.children.filter((c): c is Node => c !== null)));
    else if (child && WORDS.has(child.type)) strays.push(wordOf([child]));
  }
}

function simpleCommand(node: Node, outer: ReadonlyMap<number, Node[]>, scope: FunctionScope | null, source: string): SimpleCommand {
  const assignments: Word[] = [];
  const slots: Node[] = [];
  const redirectNodes: Node[] = [...(outer.get(node.id) ?? [])];
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === "variable_assignment") assignments.push(assignmentWord(child));
    else if (REDIRECTS.has(child.type)) redirectNodes.push(child);
    else if (child.type === "command_name") slots.push(...child.children.filter((c): c is Node => c !== null));
    else if (!NOT_A_WORD.has(child.type)) slots.push(child);
  }
  const { redirects, stdin } = readRedirects(redirectNodes);
  return { words: joinWords(slots, source), assignments, redirects, stdin, start: node.startIndex, end: node.endIndex, scope };
}

/** `export A=1 B`, `local x=$(…)`, `unset X`: the keyword, then its operands as words. */
function declaration(node: Node, scope: FunctionScope | null): SimpleCommand {
  const children = node.children.filter((c): c is Node => c !== null);
  const keyword = children[0];
  const operands = children.slice(1).filter((c) => c.type !== "comment" && !REDIRECTS.has(c.type));
  const words = [
    literalWord(keyword?.text ?? node.type, node.startIndex, keyword?.endIndex ?? node.startIndex),
    ...operands.map((c) => (c.type === "variable_assignment" ? assignmentWord(c) : wordOf([c]))),
  ];
  return { words, assignments: [], redirects: [], stdin: null, start: node.startIndex, end: node.endIndex, scope };
}

/** Adjacent nodes with nothing or only backslash-newlines between them are one word, as bash reads them. */
function joinWords(slots: readonly Node[], source: string): Word[] {
  const words: Word[] = [];
  let group: Node[] = [];
  for (const slot of slots) {
    const last = group.at(-1);
    if (last && !CONTINUATION_ONLY.test(source.slice(last.endIndex, slot.startIndex))) {
      words.push(wordOf(group));
      group = [];
    }
    group.push(slot);
  }
  if (group.length > 0) words.push(wordOf(group));
  return words;
}

function assignmentWord(node: Node): Word {
  const value = node.childForFieldName("value");
  const name = node.text.slice(0, value ? value.startIndex - node.startIndex : undefined);
  const word = literalWord(name, node.startIndex, value?.startIndex ?? node.endIndex);
  return value ? { segments: [...word.segments, ...wordOf([value]).segments], start: node.startIndex, end: node.endIndex } : word;
}

/** A statement's trailing redirections, kept for its command; a pipeline inside a here-document redirection (`cat <<EOF | sh`) is a pipeline too. */
function noteRedirects(node: Node, outer: Map<number, Node[]>, pipelines: (readonly [number, number])[][]): void {
  const body = node.childForFieldName("body");
  const redirects = node.children.filter((c): c is Node => c !== null && REDIRECTS.has(c.type));
  if (body?.type === "command") outer.set(body.id, redirects);
  for (const redirect of redirects) {
    const inner = redirect.namedChildren.find((c) => c?.type === "pipeline");
    if (inner && body) {
      const stages = inner.namedChildren.filter((c): c is Node => c !== null).map((c) => [c.startIndex, c.endIndex] as const);
      pipelines.push([[body.startIndex, body.endIndex], ...stages]);
    }
  }
}

function readRedirects(nodes: readonly Node[]): { redirects: Redirect[]; stdin: Word | null } {
  const redirects: Redirect[] = [];
  let stdin: Word | null = null;
  for (const node of nodes) {
    if (node.type === "herestring_redirect") {
      const value = node.namedChildren.find((c) => c !== null && c.type !== "file_descriptor");
      if (value) stdin = wordOf([value]);
    } else if (node.type === "heredoc_redirect") {
      const body = node.namedChildren.find((c) => c?.type === "heredoc_body");
      const start = node.namedChildren.find((c) => c?.type === "heredoc_start");
      if (body) stdin = heredocWord(body, /['"\\]/.test(start?.text ?? ""));
    } else {
      const op = node.children.find((c) => c !== null && !c.isNamed)?.type ?? "";
      const targets = node.namedChildren.filter((c): c is Node => c !== null && c.type !== "file_descriptor");
      redirects.push({ op, target: targets.length > 0 ? wordOf(targets) : null });
    }
  }
  return { redirects, stdin };
}
