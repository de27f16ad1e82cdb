/**
 * Which build of each agent program the real-program tests drive, and with
 * which Node. By default the pinned devDependency (node_modules/.bin); the
 * conformance run (scripts/conformance.ts) points a suite at another release
 * with CLAUDE_AGENT_TEST_BIN_<PROGRAM>, installed in claude-agent's cache.
 * A program whose package declares a Node this process does not satisfy
 * (Qwen Code 0.24: >= 22, on a Node 20 machine) gets `node:` in its agent's
 * swarm.yaml: a Node 22 from the cache, installed on first use
 * (scripts/node-cache.mjs), exactly as a user would configure it.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { nodeSatisfies, programEngines, programKind } from "../../agents/index.js";

const ROOT = resolve(import.meta.dirname, "../..");

export type Program = "claude" | "codex" | "gemini" | "qwen";

/** The executable a suite runs: CLAUDE_AGENT_TEST_BIN_CLAUDE (…_CODEX, …) or the pinned one. */
export function programBin(program: Program): string {
  return process.env[`CLAUDE_AGENT_TEST_BIN_${program.toUpperCase()}`] || resolve(ROOT, "node_modules", ".bin", program);
}

/** The release under test, as its package.json says. */
export function programVersion(program: Program): string {
  return programEngines(programBin(program))?.version ?? "unknown";
}

let node22: string | undefined;

/** The `node:` an agent running `bin` needs: none when this Node meets the program's engines (or it is native), else Node 22. */
export function agentNodeFor(bin: string): string | null {
  if (programKind(bin) !== "node-script") return null;
  const wanted = programEngines(bin)?.node;
  if (!wanted || nodeSatisfies(process.versions.node, wanted)) return null;
  if (process.env.CLAUDE_AGENT_TEST_NODE) return process.env.CLAUDE_AGENT_TEST_NODE;
  if (node22 === undefined) {
    const found = spawnSync(process.execPath, [resolve(ROOT, "scripts/node-cache.mjs"), "22"], { encoding: "utf8" });
    if (found.status !== 0) throw new Error(`a Node 22 for ${bin} (engines ${wanted}) could not be installed: ${found.stderr}`);
    node22 = found.stdout.trim();
  }
  return node22;
}

/** The swarm.yaml line giving an agent the Node its program needs ("" when it needs none). */
export function nodeLine(bin: string, indent = "    "): string {
  const node = agentNodeFor(bin);
  return node ? `\n${indent}node: ${node}` : "";
}
