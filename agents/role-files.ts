/**
 * Where an agent's role (swarm.yaml `role:`) is written for its program, in
 * the agent's own config folder (never the user's repository), before each
 * headless task and before an interactive program starts:
 *
 * - Claude Code, Qwen Code, aider, the LangChain agent: a file of ours,
 *   `<config>/claude-agent/role.md`, named on their command line
 *   (`--append-system-prompt-file`, `--append-system-prompt="$(cat …)"`,
 *   `--read`, `--role-file`).
 * - Codex: `$CODEX_HOME/AGENTS.md`, the global instructions it reads itself.
 * - Gemini CLI: `$GEMINI_CLI_HOME/.gemini/GEMINI.md`, its global memory
 *   (which its save_memory tool also appends to).
 *
 * The two shared files may hold text that is not ours (a person's own
 * instructions, gemini's saved memories): the role is a block between two
 * marker lines, replaced or removed on its own, the rest kept.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Runtime } from "../core/index.js";

export const ROLE_BEGIN = "<!-- claude-agent role: begin (swarm.yaml `role:`; rewritten before each task) -->";
export const ROLE_END = "<!-- claude-agent role: end -->";
const MARKER = /<!-- claude-agent role: /g;

/** The file a runtime's program reads the role from, and whether that file is shared with other text. */
export function roleFileOf(runtime: Runtime, configDir: string): { path: string; shared: boolean } | null {
  switch (runtime) {
    case "claude":
    case "qwen":
    case "aider":
    case "langchain":
      return { path: join(configDir, "claude-agent", "role.md"), shared: false };
    case "codex":
      return { path: join(configDir, "AGENTS.md"), shared: true };
    case "gemini":
      return { path: join(configDir, ".gemini", "GEMINI.md"), shared: true };
    case "shell":
      return null;
  }
}

/**
 * Writes (or, with no role, removes) the role where `runtime`'s program reads
 * it. Returns the file's path when the program has a role to read, else null.
 * Files are 0600 and replaced atomically, only when their content changes.
 */
export function writeRoleFile(runtime: Runtime, configDir: string, role: string | null): string | null {
  const target = roleFileOf(runtime, configDir);
  if (target === null) return null;
  const current = read(target.path);
  if (!target.shared) {
    if (role === null) {
      if (current !== null) rmSync(target.path, { force: true });
      return null;
    }
    if (current !== role) replace(target.path, role);
    return target.path;
  }
  if (current === null && role === null) return null;
  const next = withRoleBlock(current ?? "", role);
  // Nothing left but our block: the file was ours alone.
  if (next === "" && current?.includes(ROLE_BEGIN)) rmSync(target.path, { force: true });
  else if (next !== current) replace(target.path, next);
  return role === null ? null : target.path;
}

/** `text` with its role block replaced by `role` (first, so the role leads), or removed when `role` is null. */
export function withRoleBlock(text: string, role: string | null): string {
  const begin = text.indexOf(ROLE_BEGIN);
  const end = begin === -1 ? -1 : text.indexOf(ROLE_END, begin);
  const rest = begin === -1 || end === -1 ? text : `${text.slice(0, begin)}${text.slice(end + ROLE_END.length)}`;
  const others = rest.replace(/^\n+/, "");
  if (role === null) return others;
  // A role holding our marker text would end the block early on the next rewrite.
  const block = `${ROLE_BEGIN}\n${role.replace(MARKER, "<!-- (claude-agent role) ")}\n${ROLE_END}\n`;
  return others === "" ? block : `${block}\n${others}`;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function replace(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}
