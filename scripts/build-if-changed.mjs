#!/usr/bin/env node
/**
 * `npm run build`, only when the build is older than a source: what `npm run
 * demo` (through scripts/setup.sh) runs, so a second demo starts at once
 * instead of spending a minute of tsc on nothing. A source is a .ts file (not
 * a test) or a tsconfig/package file anywhere outside node_modules, dist and
 * test/; the build's age is dist/cli/main.js's, which tsc writes last of all
 * its reads. `--check` only says (exit 0 up to date, 1 a build is due).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SKIP = new Set(["node_modules", "dist", "test", ".git", "coverage"]);
const ROOT_FILES = /^(?:package(?:-lock)?\.json|tsconfig(?:\.[\w-]+)?\.json)$/;

/** The newest source under `root`, or null when there is none. */
export function newestSource(root) {
  let newest = null;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && isSource(relative(root, path))) {
        const mtimeMs = statSync(path).mtimeMs;
        if (newest === null || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
      }
    }
  };
  visit(root);
  return newest;
}

function isSource(path) {
  if (!path.includes("/")) return ROOT_FILES.test(path) || (path.endsWith(".ts") && !path.endsWith(".test.ts"));
  return /\.(?:m?ts)$/.test(path) && !path.endsWith(".test.ts") && !path.endsWith(".d.ts");
}

/** Why a build is due, or null when dist/ is newer than every source. */
export function buildDue(root) {
  let built;
  try {
    built = statSync(join(root, "dist", "cli", "main.js")).mtimeMs;
  } catch {
    return "there is no build yet";
  }
  const newest = newestSource(root);
  return newest !== null && newest.mtimeMs > built ? `${relative(root, newest.path)} changed since the last build` : null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
  const due = buildDue(root);
  if (process.argv.includes("--check")) {
    process.stdout.write(due ? `build due: ${due}\n` : "build up to date\n");
    process.exit(due ? 1 : 0);
  }
  if (!due) {
    process.stdout.write("setup: the build is up to date\n");
  } else {
    process.stdout.write(`setup: building (${due})\n`);
    const result = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
    process.exit(result.status ?? 1);
  }
}
