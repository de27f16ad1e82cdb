/**
 * The bash grammar of tree-sitter (tree-sitter-bash, run as WebAssembly by
 * web-tree-sitter: no native build). Loading takes a few hundred ms, so it is
 * done once per policy worker. Parsing is linear for ordinary scripts but not
 * for every input (thousands of unterminated here-documents take seconds), so
 * every parse carries a deadline and gives up when it passes.
 */
import { createRequire } from "node:module";
import { Language, Parser, type Tree } from "web-tree-sitter";

export interface ShellParser {
  /** The syntax tree (delete() it when done), or null when the deadline (a performance.now() time) passed first. */
  parse(text: string, deadline: number): Tree | null;
}

export async function loadShellParser(): Promise<ShellParser> {
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
  const bash = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(bash);
  return {
    parse(text, deadline) {
      // Returning true from the progress callback cancels the parse (the typings say void).
      return parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
    },
  };
}
