#!/usr/bin/env node
// Dependency-direction and import-cycle checker.
//
//   node scripts/check-architecture.mjs [--root DIR] [--rules FILE]
//
// Scans every .ts file under the root (see "exclude" in the rules file),
// finds its relative imports and checks three things:
//
//   1. direction: a file in layer A may only import layers listed for A in
//      scripts/architecture-rules.json (plus A itself);
//   2. public entry: an import that crosses into another top-level folder must
//      name an index.ts of that folder (its own or a sub-folder's);
//   3. cycles: no cycle of runtime imports between files. `import type`,
//      `export type … from` and imports whose specifiers are all `type` are
//      left out, as TypeScript erases them; they still count for 1 and 2.
//
// Test files (the "exempt" paths) skip rules 1 and 2. Bare specifiers
// (packages, node:) are ignored. Plain Node 20, no dependencies: imports are
// found with a small tokenizer that skips comments, strings, template text and
// regular expressions, so it needs no TypeScript compiler.
//
// Prints one line per violation and exits 1, or prints a one-line summary and
// exits 0. Exit 2 means the checker itself could not run (bad arguments,
// unreadable rules).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RULES = join(HERE, "architecture-rules.json");

// ---------------------------------------------------------------- tokenizer

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
  "throw", "case", "do", "else", "yield", "await",
]);

/**
 * Splits TypeScript source into the tokens the import scanner needs:
 * identifiers, string literals (and template literals without substitutions),
 * punctuation. Comments, regular expressions, numbers and template text are
 * consumed and dropped (numbers leave a placeholder token).
 * @param {string} src
 * @returns {{t: "id"|"str"|"p"|"num"|"tmpl", v: string, line: number}[]}
 */
export function tokenize(src) {
  const toks = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  // One entry per open `{` or `${`: "{" for a brace, "`" for a template hole.
  const braces = [];

  const push = (t, v) => toks.push({ t, v, line });
  const isIdStart = (c) => /[\p{ID_Start}$_\\#]/u.test(c);
  const isIdPart = (c) => /[\p{ID_Continue}$\u200c\u200d\\]/u.test(c);

  // Reads template text from i (just after ` or the } closing a hole) up to
  // the closing ` or the next ${. Returns the text read.
  const readTemplate = () => {
    let text = "";
    while (i < n) {
      const c = src[i];
      if (c === "\\") { text += src.slice(i, i + 2); if (src[i + 1] === "\n") line++; i += 2; continue; }
      if (c === "`") { i++; return { text, closed: true }; }
      if (c === "$" && src[i + 1] === "{") { i += 2; braces.push("`"); return { text, closed: false }; }
      if (c === "\n") line++;
      text += c;
      i++;
    }
    return { text, closed: true };
  };

  const regexAllowed = () => {
    const prev = toks[toks.length - 1];
    if (!prev) return true;
    if (prev.t === "num" || prev.t === "str" || prev.t === "tmpl") return false;
    if (prev.t === "id") return KEYWORDS_BEFORE_EXPRESSION.has(prev.v);
    return !(prev.v === ")" || prev.v === "]" || prev.v === "}");
  };

  while (i < n) {
    const c = src[i];
    if (c === "\n") { line++; i++; continue; }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff" || c === "\u00a0" || c === "\u2028" || c === "\u2029") { i++; continue; }

    if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === "\n") line++;
      i = stop;
      continue;
    }
    if (c === "#" && i === 0 && src[1] === "!") { // hashbang
      while (i < n && src[i] !== "\n") i++;
      continue;
    }

    if (c === '"' || c === "'") {
      const startLine = line;
      let v = "";
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === "\\") {
          const next = src[i + 1];
          if (next === "\n") line++;
          v += next === "n" ? "\n" : next === "t" ? "\t" : next ?? "";
          i += 2;
          continue;
        }
        if (src[i] === "\n") break; // unterminated: stop at the line end
        v += src[i++];
      }
      i++;
      toks.push({ t: "str", v, line: startLine });
      continue;
    }

    if (c === "`") {
      const startLine = line;
      i++;
      const { text, closed } = readTemplate();
      toks.push(closed ? { t: "str", v: text, line: startLine, template: true } : { t: "tmpl", v: text, line: startLine });
      continue;
    }

    if (c === "{") { braces.push("{"); push("p", "{"); i++; continue; }
    if (c === "}") {
      if (braces[braces.length - 1] === "`") {
        braces.pop();
        i++;
        readTemplate();
        push("tmpl", "");
        continue;
      }
      braces.pop();
      push("p", "}");
      i++;
      continue;
    }

    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(src[i])) {
        // 1e-5 / 1E+5
        if ((src[i] === "e" || src[i] === "E") && (src[i + 1] === "+" || src[i + 1] === "-")) i++;
        i++;
      }
      push("num", "0");
      continue;
    }

    if (isIdStart(c)) {
      let v = c;
      i++;
      while (i < n && isIdPart(src[i])) v += src[i++];
      push("id", v);
      continue;
    }

    if (c === "/" && regexAllowed()) {
      // Regular expression literal: skip to the closing / outside a class.
      let k = i + 1;
      let inClass = false;
      let ok = false;
      while (k < n && src[k] !== "\n") {
        const ch = src[k];
        if (ch === "\\") { k += 2; continue; }
        if (ch === "[") inClass = true;
        else if (ch === "]") inClass = false;
        else if (ch === "/" && !inClass) { ok = true; break; }
        k++;
      }
      if (ok) {
        k++;
        while (k < n && /[A-Za-z]/.test(src[k])) k++;
        i = k;
        push("num", "0"); // stands for a value
        continue;
      }
    }

    push("p", c);
    i++;
  }
  return toks;
}

// ------------------------------------------------------------ import scanner

/**
 * @typedef {{spec: string, line: number, typeOnly: boolean, kind: "import"|"export"|"dynamic"|"require"}} ImportRef
 */

const PROMISE_MEMBERS = new Set(["then", "catch", "finally"]);

/**
 * Finds the module specifiers a TypeScript source file refers to.
 * @param {string} src
 * @returns {ImportRef[]}
 */
export function scanImports(src) {
  const toks = tokenize(src);
  /** @type {ImportRef[]} */
  const out = [];
  const at = (k) => toks[k] ?? { t: "eof", v: "", line: 0 };
  const isP = (k, v) => at(k).t === "p" && at(k).v === v;
  const isId = (k, v) => at(k).t === "id" && (v === undefined || at(k).v === v);
  const isStr = (k) => at(k).t === "str";
  const isMember = (k) => isP(k - 1, ".") && !isP(k - 2, "."); // a.import, but not ...spread

  // Parses a `{ … }` specifier list starting at k. Returns the index after the
  // closing brace and whether every specifier carries a `type` modifier.
  const namedList = (k) => {
    let depth = 0;
    let specifiers = 0;
    let typed = 0;
    let start = true;
    for (; k < toks.length; k++) {
      if (isP(k, "{")) { depth++; start = true; continue; }
      if (isP(k, "}")) { depth--; if (depth === 0) return { end: k + 1, allTyped: specifiers > 0 && typed === specifiers }; continue; }
      if (depth === 1 && isP(k, ",")) { start = true; continue; }
      if (depth === 1 && start) {
        start = false;
        specifiers++;
        if (isId(k, "type") && !isP(k + 1, ",") && !isP(k + 1, "}") && !isId(k + 1, "as")) typed++;
      }
    }
    return { end: k, allTyped: false };
  };

  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok.t !== "id" || isMember(i)) continue;

    if (tok.v === "import") {
      // import("x") — dynamic import, or an import type in a type position.
      if (isP(i + 1, "(")) {
        if (isStr(i + 2) && (isP(i + 3, ")") || isP(i + 3, ","))) {
          let close = i + 3;
          if (isP(close, ",")) { // import("x", { with: … })
            let depth = 1;
            for (close = i + 2; close < toks.length && depth > 0;) {
              close++;
              if (isP(close, "(")) depth++;
              else if (isP(close, ")")) depth--;
            }
          }
          const typeLevel = isId(i - 1, "typeof")
            || (!isId(i - 1, "await") && isP(close + 1, ".") && isId(close + 2) && !PROMISE_MEMBERS.has(at(close + 2).v));
          out.push({ spec: at(i + 2).v, line: tok.line, typeOnly: typeLevel, kind: "dynamic" });
        }
        continue;
      }
      if (isP(i + 1, ".")) continue; // import.meta
      // import "x";
      if (isStr(i + 1) && !at(i + 1).template) {
        out.push({ spec: at(i + 1).v, line: tok.line, typeOnly: false, kind: "import" });
        continue;
      }
      let k = i + 1;
      let typeOnly = false;
      if (isId(k, "type") && (isP(k + 1, "{") || isP(k + 1, "*") || (isId(k + 1) && !isId(k + 1, "from")))) {
        typeOnly = true;
        k++;
      }
      let hasDefaultOrNamespace = false;
      let allTyped = false;
      for (let guard = 0; k < toks.length && guard < 10_000; guard++) {
        if (isP(k, "{")) {
          const r = namedList(k);
          allTyped = r.allTyped;
          k = r.end;
          continue;
        }
        if (isId(k, "from") && isStr(k + 1)) {
          out.push({ spec: at(k + 1).v, line: tok.line, typeOnly: typeOnly || (allTyped && !hasDefaultOrNamespace), kind: "import" });
          i = k + 1;
          break;
        }
        if (isP(k, "=")) { // import x = require("y")
          if (isId(k + 1, "require") && isP(k + 2, "(") && isStr(k + 3)) {
            out.push({ spec: at(k + 3).v, line: tok.line, typeOnly, kind: "require" });
            i = k + 3;
          }
          break;
        }
        if (isP(k, "*") || (isId(k) && !isId(k, "as"))) hasDefaultOrNamespace = true;
        else if (!(isP(k, ",") || isId(k, "as"))) break; // not an import declaration
        k++;
      }
      continue;
    }

    if (tok.v === "export") {
      let k = i + 1;
      let typeOnly = false;
      if (isId(k, "type") && (isP(k + 1, "{") || isP(k + 1, "*"))) { typeOnly = true; k++; }
      if (isP(k, "*")) {
        k++;
        if (isId(k, "as")) k += 2;
        if (isId(k, "from") && isStr(k + 1)) {
          out.push({ spec: at(k + 1).v, line: tok.line, typeOnly, kind: "export" });
          i = k + 1;
        }
        continue;
      }
      if (isP(k, "{")) {
        const r = namedList(k);
        k = r.end;
        if (isId(k, "from") && isStr(k + 1)) {
          out.push({ spec: at(k + 1).v, line: tok.line, typeOnly: typeOnly || r.allTyped, kind: "export" });
          i = k + 1;
        }
      }
    }
  }
  return out;
}

// ----------------------------------------------------------------- the tree

const toPosix = (p) => p.split(sep).join("/");

/** Minimal glob: `**` any number of segments, `*` within one segment. */
export function globToRegExp(glob) {
  let re = "";
  for (let k = 0; k < glob.length; k++) {
    const c = glob[k];
    if (c === "*" && glob[k + 1] === "*") {
      if (glob[k + 2] === "/") { re += "(?:.*/)?"; k += 2; }
      else { re += ".*"; k += 1; }
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

const isFile = (p) => { try { return statSync(p).isFile(); } catch { return false; } };

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
    idx.set(start, index); low.set(start, index); index++;
    stack.push(start); onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const next = edges.get(frame.v) ?? [];
      if (frame.it < next.length) {
        const w = next[frame.it++];
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++;
          stack.push(w); onStack.add(w);
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
        do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== frame.v);
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
      if (!seen.has(w)) { seen.add(w); prev.set(w, v); queue.push(w); }
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

  const files = listTsFiles(root, excluded);
  const fileSet = new Set(files);
  const violations = [];
  const runtimeEdges = new Map();
  let importCount = 0;

  for (const file of files) {
    const abs = join(root, file);
    const refs = scanImports(readFileSync(abs, "utf8"));
    const isExempt = exempt.some((re) => re.test(file));
    const fromLayer = layerKey(file);
    const allowed = layers[fromLayer];
    if (allowed === undefined && !isExempt) {
      violations.push(`${file}: not in any layer of architecture-rules.json (add "${fromLayer}" to "layers")`);
    }
    const edges = new Set();
    const reported = new Set();
    const report = (line) => { if (!reported.has(line)) { reported.add(line); violations.push(line); } };

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
    cycles.push(`cycle: ${path.join(" → ")}${extra > 0 ? ` (and ${extra} more file${extra === 1 ? "" : "s"} in the same cycle: ${comp.filter((f) => !path.includes(f)).sort().join(", ")})` : ""}`);
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
