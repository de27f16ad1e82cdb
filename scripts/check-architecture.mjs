#!/usr/bin/env node
// Dependency-direction and import-cycle checker.
//
//   node scripts/check-architecture.mjs [--root DIR] [--rules FILE]
//
// Scans every .ts file under the root (see "exclude" in the rules file),
// finds its relative imports and checks three things, then three about size,
// naming and errors:
//
//   1. direction: a file in layer A may only import layers listed for A in
//      scripts/architecture-rules.json (plus A itself);
//   2. public entry: an import that crosses into another top-level folder must
//      name an index.ts of that folder (its own or a sub-folder's);
//   3. cycles: no cycle of runtime imports between files. `import type`,
//      `export type … from` and imports whose specifiers are all `type` are
//      left out, as TypeScript erases them; they still count for 1 and 2.
//   4. class size: no class longer than "classes.maxLines" lines, from its
//      declaration's first line to its closing brace (its doc comment aside);
//   5. neutral folders: no source file in a folder listed in "neutral" names
//      one of its words (the agent programs, for bridge/: everything about one
//      program lives in agents/<program>/);
//   6. silent catches ("silentCatch"): a `.catch(…)` whose callback drops the
//      error (no parameter, or one it never uses, and a body that is empty or
//      a constant: undefined, null, false, [], {}…) has a comment saying why
//      that is safe, on its line, the line above its statement or within
//      that statement; otherwise it should log the error.
//
// Test files (the "exempt" paths) skip rules 1, 2, 4, 5 and 6. Bare specifiers
// (packages, node:) are ignored. Imports are
// found in the TypeScript compiler's syntax tree (the `typescript` dev dependency).
//
// Prints one line per violation and exits 1, or prints a one-line summary and
// exits 0. Exit 2 means the checker itself could not run (bad arguments,
// unreadable rules).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

// require(), not `import ts from "typescript"`: importing a CommonJS module from ESM makes Node scan its
// text for export names first (cjs-module-lexer), 0.5 s of the checker's 2.8 s over typescript.js's 9 MB.
const ts = createRequire(import.meta.url)("typescript");

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RULES = join(HERE, "architecture-rules.json");

// ------------------------------------------------------------ import scanner

/**
 * @typedef {{spec: string, line: number, typeOnly: boolean, kind: "import"|"export"|"dynamic"|"require"}} ImportRef
 */

/**
 * Finds the module specifiers a TypeScript source file refers to, from the
 * TypeScript compiler's own syntax tree (so comments, strings, template text and
 * regular expressions can never be mistaken for imports). `typeOnly` marks what
 * TypeScript erases: `import type`, imports whose specifiers are all `type`,
 * `export type … from`, and `import("x")` in a type position.
 * @param {string} src
 * @param {string} [fileName]
 * @returns {ImportRef[]}
 */
export function scanImports(src, fileName = "file.ts") {
  return importsOf(parse(src, fileName), src);
}

function parse(src, fileName) {
  // JSDoc is never needed here and parent pointers are not either: both are skipped, as the parse is
  // most of the checker's time (643 files: 2.2 s of user CPU with them, 1.3 s without).
  return ts.createSourceFile(
    fileName,
    src,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
    ts.ScriptKind.TS,
  );
}

/** @returns {ImportRef[]} */
function importsOf(file, src) {
  /** @type {ImportRef[]} */
  const out = [];
  const lineOf = (node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const push = (node, specifier, typeOnly, kind) => {
    if (specifier && ts.isStringLiteralLike(specifier)) out.push({ spec: specifier.text, line: lineOf(node), typeOnly, kind });
  };
  // Import and export declarations only stand among a module's statements (or a `declare module`
  // block's); import() calls and import("x") types can stand anywhere, so the whole tree is walked
  // for them, but only in a file whose text has the word import followed by "(" at all.
  const statements = (list) => {
    for (const node of list) {
      if (ts.isImportDeclaration(node)) {
        push(node, node.moduleSpecifier, importErased(node.importClause), "import");
      } else if (ts.isExportDeclaration(node)) {
        const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
        const allTyped = named !== null && named.length > 0 && named.every((element) => element.isTypeOnly);
        push(node, node.moduleSpecifier, node.isTypeOnly || allTyped, "export");
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
        push(node, node.moduleReference.expression, node.isTypeOnly, "require");
      } else if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
        statements(node.body.statements);
      }
    }
  };
  statements(file.statements);
  if (/\bimport\s*\(/.test(src)) {
    const visit = (node) => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        push(node, node.arguments[0], false, "dynamic");
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        push(node, node.argument.literal, true, "dynamic");
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  out.sort((a, b) => a.line - b.line);
  return out;
}

/**
 * Every class of a file with its first line and its length in lines, from `class` (or `export`) to its closing
 * brace: its doc comment is not counted, so that explaining a class never pushes it over.
 * Classes inside functions and other classes count too.
 * @returns {{name: string, line: number, lines: number}[]}
 */
function classesOf(file) {
  const out = [];
  const visit = (node) => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ name: node.name?.text ?? "(anonymous)", line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/**
 * Every `.catch(…)` of a file whose callback drops the error without a word: an arrow function (or function
 * expression) with no parameter, or one its body never uses, whose body is empty or a constant (`undefined`,
 * `null`, `false`, `""`, `[]`, `{}` and the like). One with a comment from the line above its statement to
 * that statement's last line says why, and is left out.
 * @returns {number[]} the lines of the `.catch` calls that stay unexplained
 */
function silentCatchesOf(file, src) {
  if (!/\.\s*catch\s*\(/.test(src)) return [];
  const out = [];
  let comments = null; // read once a catch needs them: walking every token is the costly part
  const lineAt = (pos) => file.getLineAndCharacterOfPosition(pos).line;
  const visit = (node, statement) => {
    if (isStatementLike(node)) statement = node;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "catch") {
      const callback = node.arguments[0];
      if (node.arguments.length === 1 && dropsItsError(callback)) {
        const line = lineAt(node.expression.name.getStart(file));
        const around = statement ?? node;
        const first = lineAt(around.getStart(file)) - 1; // the line above the statement
        const last = lineAt(around.getEnd());
        comments ??= commentLines(file, src);
        let said = false;
        for (let k = first; k <= last && !said; k++) said = comments.has(k);
        if (!said) out.push(line + 1);
      }
    }
    ts.forEachChild(node, (child) => visit(child, statement));
  };
  visit(file, null);
  return out;
}

/** A statement, a class member or an object literal's property: the span a catch's comment may stand in. */
function isStatementLike(node) {
  const kind = node.kind;
  if (kind >= ts.SyntaxKind.FirstStatement && kind <= ts.SyntaxKind.LastStatement) return true;
  return ts.isClassElement(node) || ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node);
}

/** True for a callback that never looks at the error and answers nothing but a constant (or nothing). */
function dropsItsError(callback) {
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
  // A body of a constant (or nothing) cannot use the parameter, whether there is one or not.
  return ts.isBlock(callback.body) ? callback.body.statements.length === 0 : isConstant(callback.body);
}

/** A literal, `undefined`, `void 0`, `[]` or `{}`, in parentheses or cast or not. */
function isConstant(expression) {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  if (ts.isVoidExpression(e)) return isConstant(e.expression);
  if (ts.isArrayLiteralExpression(e)) return e.elements.length === 0;
  if (ts.isObjectLiteralExpression(e)) return e.properties.length === 0;
  if (ts.isIdentifier(e)) return e.text === "undefined";
  if (ts.isPrefixUnaryExpression(e)) return ts.isNumericLiteral(e.operand);
  return ts.isLiteralExpression(e) || e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword;
}

/**
 * The lines (0-based) a comment of the file stands on, read from the trivia around the parser's tokens so that
 * a `//` in a string or a regular expression is never taken for one.
 * @returns {Set<number>}
 */
function commentLines(file, src) {
  const lines = new Set();
  const seen = new Set();
  const add = (ranges) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      const to = file.getLineAndCharacterOfPosition(range.end).line;
      for (let line = file.getLineAndCharacterOfPosition(range.pos).line; line <= to; line++) lines.add(line);
    }
  };
  const visit = (node) => {
    for (const child of node.getChildren(file)) {
      if (child.kind >= ts.SyntaxKind.FirstNode) visit(child);
      else {
        add(ts.getLeadingCommentRanges(src, child.pos));
        add(ts.getTrailingCommentRanges(src, child.end));
      }
    }
  };
  visit(file);
  return lines;
}

/**
 * The first line of a file that names one of `words` (a case-blind match at the start of a word, so
 * `ClaudeTransport` and "Claude Code" count), once the `allow`ed phrases are taken out.
 * @returns {{line: number, word: string} | null}
 */
export function namedWord(src, words, allow = []) {
  if (words.length === 0) return null;
  const literal = (word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const allowed = allow.length ? new RegExp(allow.map(literal).join("|"), "gi") : null;
  const named = new RegExp(`(?<![a-z0-9])(${words.map(literal).join("|")})`, "i");
  const lines = src.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const line = allowed ? lines[k].replace(allowed, " ") : lines[k];
    const match = named.exec(line);
    if (match) return { line: k + 1, word: match[1] };
  }
  return null;
}

/** True when TypeScript erases the import: `import type …`, or every named specifier is `type`. */
function importErased(clause) {
  if (!clause) return false; // import "x": a side effect, kept
  if (clause.isTypeOnly) return true;
  if (clause.name) return false; // a default import is a value
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

// ----------------------------------------------------------------- the tree

const toPosix = (p) => p.split(sep).join("/");

/** Minimal glob: `**` any number of segments, `*` within one segment. */
export function globToRegExp(glob) {
  let re = "";
  for (let k = 0; k < glob.length; k++) {
    const c = glob[k];
    if (c === "*" && glob[k + 1] === "*") {
      if (glob[k + 2] === "/") {
        re += "(?:.*/)?";
        k += 2;
      } else {
        re += ".*";
        k += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function listTsFiles(root, excluded) {
  const files = [];
  const walk = (dirRel) => {
    const abs = dirRel ? join(root, dirRel) : root;
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = dirRel ? `${dirRel}/${entry.name}` : entry.name;
      if (excluded.some((re) => re.test(rel))) continue;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.endsWith(".ts")) files.push(rel);
    }
  };
  walk("");
  return files;
}

const isFile = (p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * Resolves a relative specifier the way TypeScript's NodeNext mode does for
 * this project: `./x.js` → `./x.ts`, falling back to `./x/index.ts`.
 * Returns an absolute path or null.
 */
export function resolveSpecifier(fromAbs, spec) {
  const base = resolve(dirname(fromAbs), spec);
  const candidates = [];
  const m = /\.(m|c)?js$/.exec(spec);
  if (m) {
    const stem = base.slice(0, -m[0].length);
    candidates.push(`${stem}.${m[1] ?? ""}ts`, base, join(stem, "index.ts"));
  } else if (/\.(m|c)?tsx?$/.test(spec)) {
    candidates.push(base);
  } else {
    candidates.push(base, `${base}.ts`, join(base, "index.ts"));
  }
  return candidates.find(isFile) ?? null;
}

const isRelative = (spec) => spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../");

// ------------------------------------------------------------------- checks

/** The layer a root-relative path belongs to: its top-level folder, or the file itself at the root. */
const layerKey = (rel) => rel.split("/")[0];

function describeAllowed(layer, allowed) {
  if (allowed.length === 0) return `${layer} may import nothing outside ${layer}`;
  return `${layer} may import ${allowed.join(", ")}`;
}

/** Tarjan's strongly connected components, iteratively. */
function stronglyConnected(nodes, edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  for (const start of nodes) {
    if (idx.has(start)) continue;
    const work = [{ v: start, it: 0 }];
    idx.set(start, index);
    low.set(start, index);
    index++;
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const next = edges.get(frame.v) ?? [];
      if (frame.it < next.length) {
        const w = next[frame.it++];
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index);
          index++;
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, it: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v), idx.get(w)));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent), low.get(frame.v)));
      }
      if (low.get(frame.v) === idx.get(frame.v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== frame.v);
        out.push(comp);
      }
    }
  }
  return out;
}

/** Shortest cycle through `start` using only nodes in `within`. */
function shortestCycle(start, edges, within) {
  const prev = new Map();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]));
        return [...path, start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Checks the tree at `root` against `rules`.
 * @returns {{files: number, imports: number, violations: string[], cycles: string[]}}
 */
export function checkArchitecture(root, rules) {
  root = resolve(root);
  const layers = rules.layers ?? {};
  const entryFile = rules.publicEntry?.file ?? "index.ts";
  const exempt = (rules.exempt?.paths ?? []).map(globToRegExp);
  const excluded = (rules.exclude ?? []).map(globToRegExp);

  const maxClassLines = rules.classes?.maxLines ?? Number.POSITIVE_INFINITY;
  const neutral = Object.entries(rules.neutral ?? {}).filter(([key]) => !key.startsWith("$"));
  const silentCatch = rules.silentCatch?.requireComment === true;

  const files = listTsFiles(root, excluded);
  const fileSet = new Set(files);
  const violations = [];
  const runtimeEdges = new Map();
  let importCount = 0;

  for (const file of files) {
    const abs = join(root, file);
    const src = readFileSync(abs, "utf8");
    const parsed = parse(src, abs);
    const refs = importsOf(parsed, src);
    const isExempt = exempt.some((re) => re.test(file));
    if (!isExempt) {
      for (const found of classesOf(parsed)) {
        if (found.lines > maxClassLines) {
          violations.push(`${file}:${found.line}: class ${found.name} is ${found.lines} lines (at most ${maxClassLines}: split it by job)`);
        }
      }
      for (const [folder, rule] of neutral) {
        if (!file.startsWith(`${folder}/`)) continue;
        const named = namedWord(src, rule.words ?? [], rule.allow ?? []);
        if (named) violations.push(`${file}:${named.line}: names "${named.word}" (${folder}/ ${rule.why ?? "must not name it"})`);
      }
      if (silentCatch) {
        for (const line of silentCatchesOf(parsed, src)) {
          violations.push(`${file}:${line}: .catch drops its error silently (log it, or say in a comment why that is safe)`);
        }
      }
    }
    const fromLayer = layerKey(file);
    const allowed = layers[fromLayer];
    if (allowed === undefined && !isExempt) {
      violations.push(`${file}: not in any layer of architecture-rules.json (add "${fromLayer}" to "layers")`);
    }
    const edges = new Set();
    const reported = new Set();
    const report = (line) => {
      if (!reported.has(line)) {
        reported.add(line);
        violations.push(line);
      }
    };

    for (const ref of refs) {
      if (!isRelative(ref.spec)) continue;
      importCount++;
      const targetAbs = resolveSpecifier(abs, ref.spec);
      if (targetAbs === null) {
        if (!isExempt) report(`${file}: cannot resolve "${ref.spec}"`);
        continue;
      }
      const target = toPosix(relative(root, targetAbs));
      if (target.startsWith("../")) {
        if (!isExempt) report(`${file}: imports ${toPosix(targetAbs)}, outside the checked tree`);
        continue;
      }
      if (!ref.typeOnly && fileSet.has(target)) edges.add(target);
      if (isExempt || allowed === undefined) continue;

      const toLayer = layerKey(target);
      if (toLayer === fromLayer) continue;
      if (allowed !== "*" && !allowed.includes(toLayer)) {
        report(`${file}: imports ${target} (${describeAllowed(fromLayer, allowed)})`);
        continue;
      }
      const targetIsFolder = target.includes("/");
      if (targetIsFolder && !target.endsWith(`/${entryFile}`)) {
        report(`${file}: imports ${target}, bypassing ${toLayer}/${entryFile} (imports from another folder must go through its ${entryFile})`);
      }
    }
    runtimeEdges.set(file, [...edges].sort());
  }

  const cycles = [];
  for (const comp of stronglyConnected(files, runtimeEdges)) {
    const selfLoop = comp.length === 1 && (runtimeEdges.get(comp[0]) ?? []).includes(comp[0]);
    if (comp.length < 2 && !selfLoop) continue;
    const within = new Set(comp);
    const start = [...comp].sort()[0];
    const path = shortestCycle(start, runtimeEdges, within);
    const extra = comp.length - (path.length - 1);
    cycles.push(
      `cycle: ${path.join(" → ")}${
        extra > 0
          ? ` (and ${extra} more file${extra === 1 ? "" : "s"} in the same cycle: ${comp
              .filter((f) => !path.includes(f))
              .sort()
              .join(", ")})`
          : ""
      }`,
    );
  }
  cycles.sort();

  return { files: files.length, imports: importCount, violations, cycles };
}

// ---------------------------------------------------------------------- CLI

function parseArgs(argv) {
  const opts = { root: process.cwd(), rules: DEFAULT_RULES };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--root") opts.root = value();
    else if (a.startsWith("--root=")) opts.root = a.slice(7);
    else if (a === "--rules") opts.rules = value();
    else if (a.startsWith("--rules=")) opts.rules = a.slice(8);
    else if (a === "--help" || a === "-h") opts.help = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`check-architecture: ${err.message}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write("usage: node scripts/check-architecture.mjs [--root DIR] [--rules FILE]\n");
    return 0;
  }
  if (!existsSync(opts.root) || !statSync(opts.root).isDirectory()) {
    process.stderr.write(`check-architecture: no such directory: ${opts.root}\n`);
    return 2;
  }
  let rules;
  try {
    rules = JSON.parse(readFileSync(opts.rules, "utf8"));
  } catch (err) {
    process.stderr.write(`check-architecture: cannot read rules ${opts.rules}: ${err.message}\n`);
    return 2;
  }
  const result = checkArchitecture(opts.root, rules);
  const problems = [...result.violations, ...result.cycles];
  if (problems.length) {
    process.stdout.write(`${problems.join("\n")}\n`);
    process.stderr.write(`architecture: ${problems.length} violation${problems.length === 1 ? "" : "s"} in ${result.files} files\n`);
    return 1;
  }
  process.stdout.write(`architecture: ${result.files} files, ${result.imports} imports, no violations\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main();
}
