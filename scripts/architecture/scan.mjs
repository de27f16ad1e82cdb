// What one TypeScript source file says, read from the TypeScript compiler's syntax tree (so comments,
// strings, template text and regular expressions are never mistaken for code): its imports, its classes and
// their length, the .catch calls that drop their error with no comment, and the words it names.

import { createRequire } from "node:module";

// require(), not `import ts from "typescript"`: importing a CommonJS module from ESM makes Node scan its
// text for export names first (cjs-module-lexer), 0.5 s of the checker's 2.8 s over typescript.js's 9 MB.
const ts = createRequire(import.meta.url)("typescript");

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

export function parse(src, fileName) {
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
export function importsOf(file, src) {
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
export function classesOf(file) {
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
export function silentCatchesOf(file, src) {
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
