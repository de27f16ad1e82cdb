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
// found in the TypeScript compiler's syntax tree (the `typescript` dev dependency;
// architecture/scan.mjs reads each file, architecture/graph.mjs finds the cycles).
//
// Prints one line per violation and exits 1, or prints a one-line summary and
// exits 0. Exit 2 means the checker itself could not run (bad arguments,
// unreadable rules).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { shortestCycle, stronglyConnected } from "./architecture/graph.mjs";
import { classesOf, importsOf, namedWord, parse, silentCatchesOf } from "./architecture/scan.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RULES = join(HERE, "architecture-rules.json");

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
