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
 *
 * The config folder is writable by the agent's program (inside the sandbox
 * too), and the bridge writes here as the user, outside any sandbox: a
 * symlink planted in the folder must neither be read through (its target's
 * text would be copied into a file the model reads) nor written through.
 * So a file is read only when it is a regular file (no symlink followed),
 * folders on the way that are not real folders are replaced, and the new
 * file is created exclusively under a random name, then renamed into place.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { randomSuffix, readRegularFile, type Runtime } from "../core/index.js";

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
    default:
      // A registered program (registerRuntime) has no file of ours to read: its adapter gets the role as `job.role`.
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
  ownFolders(configDir, dirname(target.path));
  const current = readRegularFile(target.path);
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

/** Every folder from `root` (exclusive) down to `dir` is a real folder: a symlink or a file in the way is removed. */
function ownFolders(root: string, dir: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  let current = root;
  for (const part of relative(root, dir)
    .split(sep)
    .filter((p) => p !== "")) {
    current = join(current, part);
    let stat: ReturnType<typeof lstatSync> | null = null;
    try {
      stat = lstatSync(current);
    } catch {
      // missing: made below
    }
    if (stat !== null && !stat.isDirectory()) rmSync(current, { force: true });
    if (stat === null || !stat.isDirectory()) mkdirSync(current, { mode: 0o700 });
  }
}

function replace(path: string, text: string): void {
  const temp = `${path}.${randomSuffix(12)}.tmp`;
  // "wx": created here, never an existing file or a symlink's target. rename replaces a symlink at `path`, not its target.
  writeFileSync(temp, text, { mode: 0o600, flag: "wx" });
  renameSync(temp, path);
}
