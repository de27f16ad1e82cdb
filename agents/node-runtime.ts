/**
 * Which Node.js an agent program runs with, independent of the Node that
 * runs claude-agent: the current Claude Code and Qwen Code declare Node ≥ 22
 * while a swarm may run on Node 20. An agent's `node:` is a path or a major
 * version found here; programs that are Node scripts (`#!/usr/bin/env node`)
 * then run with it (its folder goes first on their PATH), native programs
 * (Claude Code ≥ 2.1.3xx, Codex's binary) need none.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import semver from "semver";

export interface FoundNode {
  readonly path: string;
  /** Without the leading v: "22.23.5". */
  readonly version: string;
}

/** claude-agent's cache: `$CLAUDE_AGENT_CACHE`, else `$XDG_CACHE_HOME/claude-agent`, else `~/.cache/claude-agent` (scripts/node-cache.mjs installs there). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAUDE_AGENT_CACHE) return env.CLAUDE_AGENT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "claude-agent");
}

/** `node --version` of an executable, or null when it does not run (bounded: 5 s). */
export function nodeVersionOf(path: string): string | null {
  if (!existsSync(path)) return null;
  const result = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 5000 });
  const version = semver.valid(semver.coerce(result.stdout?.trim() ?? ""));
  return result.status === 0 ? version : null;
}

/**
 * A `node:` value made concrete: a path is checked to run; a major version is
 * looked for on PATH, then in the cache (newest first), then under nvm.
 */
export function findNode(spec: string, env: NodeJS.ProcessEnv = process.env): FoundNode | null {
  if (!/^\d+$/.test(spec)) {
    const version = nodeVersionOf(spec);
    return version ? { path: spec, version } : null;
  }
  const major = Number(spec);
  for (const path of nodeCandidates(env)) {
    const version = nodeVersionOf(path);
    if (version && semver.major(version) === major) return { path, version };
  }
  return null;
}

function nodeCandidates(env: NodeJS.ProcessEnv): string[] {
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, "node"));
  const cached = versionDirs(join(cacheRoot(env), "node")).map((dir) => join(dir, "node_modules", ".bin", "node"));
  const nvm = versionDirs(join(env.NVM_DIR || join(homedir(), ".nvm"), "versions", "node")).map((dir) => join(dir, "bin", "node"));
  return [...onPath, ...cached, ...nvm].filter((path) => existsSync(path));
}

/** Sub-folders named like versions (`22.23.5`, `v22.1.0`), newest first. */
function versionDirs(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((name) => semver.valid(name.replace(/^v/, "")))
    .sort((a, b) => semver.rcompare(a.replace(/^v/, ""), b.replace(/^v/, "")))
    .map((name) => join(parent, name));
}

/** How a program's executable runs: a Node script (the Node matters), a native binary, or something else. */
export function programKind(executable: string): "node-script" | "native" | "unknown" {
  let head = "";
  try {
    const fd = openSync(executable, "r");
    const buffer = Buffer.alloc(128);
    const read = readSync(fd, buffer, 0, 128, 0);
    closeSync(fd);
    head = buffer.subarray(0, read).toString("latin1");
  } catch {
    return "unknown";
  }
  if (head.startsWith("\x7fELF") || head.startsWith("\xcf\xfa\xed\xfe") || head.startsWith("MZ")) return "native";
  if (head.startsWith("#!") && /\bnode\b/.test(head.split("\n")[0]!)) return "node-script";
  return "unknown";
}

/** The npm package an executable belongs to and the Node it declares (`engines.node`), when it has one. */
export function programEngines(executable: string): { readonly name: string; readonly version: string; readonly node: string | null } | null {
  let dir: string;
  try {
    dir = dirname(realpathSync(executable));
  } catch {
    return null;
  }
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string; engines?: { node?: string } };
      if (pkg.name && pkg.version) return { name: pkg.name, version: pkg.version, node: pkg.engines?.node ?? null };
    } catch {
      return null;
    }
  }
  return null;
}

/** Whether a Node version meets an `engines.node` range; an unreadable range counts as met. */
export function nodeSatisfies(version: string, range: string): boolean {
  return semver.validRange(range) === null || semver.satisfies(version, range, { includePrerelease: true });
}
