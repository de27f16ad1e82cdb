#!/usr/bin/env node
// A Node.js binary of a given line in claude-agent's cache, installed from the npm registry's
// `node-<platform>-<arch>` packages (a plain npm install: no system change, no download of our own).
//   node scripts/node-cache.mjs 22      → prints the path of its `node`, installing it first if needed
// Used by setup (machines whose Node is older than the agent programs need), the test runner's
// Node 22 phase, the real-program tests and the conformance run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The release of each line we install: pinned, so every machine runs the same binary. */
export const NODE_RELEASES = { 22: "22.23.5", 24: "24.22.3" };

/** `$CLAUDE_AGENT_CACHE`, else `$XDG_CACHE_HOME/claude-agent`, else `~/.cache/claude-agent`. */
export function cacheRoot(env = process.env) {
  if (env.CLAUDE_AGENT_CACHE) return env.CLAUDE_AGENT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "claude-agent");
}

/** The `node` executable of a release installed by ensureNode. */
export function nodePath(version, env = process.env) {
  return join(cacheRoot(env), "node", version, "node_modules", ".bin", "node");
}

/** Installs (once) and returns the path of a Node binary of `line` (22, 24) or an exact version. */
export function ensureNode(line, env = process.env) {
  const version = NODE_RELEASES[line] ?? String(line);
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`unknown Node line ${line}: use one of ${Object.keys(NODE_RELEASES).join(", ")} or an exact version`);
  const target = nodePath(version, env);
  if (works(target)) return target;
  const dir = join(cacheRoot(env), "node", version);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  const npm = spawnSync("npm", ["install", "--prefix", partial, "--no-audit", "--no-fund", "--loglevel=error", pkg], { encoding: "utf8", env });
  if (npm.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install ${pkg} failed:\n${npm.stderr || npm.stdout}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  if (!works(target)) throw new Error(`${pkg} installed, but ${target} does not run`);
  return target;
}

function works(node) {
  return existsSync(node) && spawnSync(node, ["--version"], { encoding: "utf8" }).status === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    process.stdout.write(`${ensureNode(process.argv[2] ?? "22")}\n`);
  } catch (error) {
    process.stderr.write(`node-cache: ${error.message}\n`);
    process.exit(1);
  }
}
