/**
 * `role:` of an agent: what the agent is for, what to prefer, what to refuse and how to
 * report, given to its program as instructions. Three ways to write it in swarm.yaml:
 * the name of a shipped role (`role: backend-api`, a file of the repository's roles/),
 * a path to a text file (`role: ./roles/reviewer.md`, relative to swarm.yaml), or the
 * text itself (anything else, usually a YAML block). Resolved at load: the config
 * carries the text, so every component sees the role the swarm started with.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Runtime } from "./types.js";

export interface RoleConfig {
  /** Where the text came from: `shipped: roles/<name>.md`, the file's absolute path, or `inline`. */
  readonly source: string;
  readonly text: string;
}

/** Roles travel in argv and in config files of the programs: a bound well under one argv string (128 KiB). */
export const MAX_ROLE_BYTES = 32 * 1024;

const ROLE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * How each runtime's program receives the role. Runtimes missing here keep the role as
 * documentation (`status --agent` shows it) and their program does not see it.
 */
export const ROLE_DELIVERY: Partial<Record<Runtime, string>> = {
  langchain: "the system message of every model request",
  claude: "Claude Code's appended system prompt (--append-system-prompt-file <config>/claude-agent/role.md)",
  qwen: "Qwen Code's appended system prompt (--append-system-prompt, read from <config>/claude-agent/role.md)",
  codex: "Codex's global instructions ($CODEX_HOME/AGENTS.md in the agent's config folder)",
  gemini: "Gemini CLI's global context ($GEMINI_CLI_HOME/.gemini/GEMINI.md in the agent's config folder)",
  aider: "a read-only file in aider's chat (--read <config>/claude-agent/role.md)",
};

/** Flags of a program that append to its system prompt too: with a role, the program would get two (Claude Code refuses that). */
const APPENDING_FLAGS: Partial<Record<Runtime, readonly string[]>> = {
  claude: ["--append-system-prompt", "--append-system-prompt-file"],
  qwen: ["--append-system-prompt"],
};

/** The repository's roles/ folder: two levels up from core/config in the sources, three from dist/core/config. */
export function shippedRolesDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    dir = dirname(dir);
    if (isFile(join(dir, "roles", "backend-api.md"))) return join(dir, "roles");
  }
  return null;
}

/** Names of the shipped roles (file names without `.md`), sorted. */
export function shippedRoles(): string[] {
  const dir = shippedRolesDir();
  if (dir === null) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function looksLikePath(value: string): boolean {
  return !/\s/.test(value) && (/^(\.{1,2}\/|\/|~\/)/.test(value) || /\.(md|txt)$/i.test(value));
}

/** The role's text and source, or the problem with it (without the `agents.N.role:` prefix). */
export function resolveRole(value: string, baseDir: string): { role: RoleConfig } | { problem: string } {
  const trimmed = value.trim();
  if (trimmed === "") return { problem: "expected a role name, a file path or the role's text, got an empty string" };
  if (ROLE_NAME.test(trimmed)) {
    const dir = shippedRolesDir();
    const names = shippedRoles();
    if (dir === null || !names.includes(trimmed)) {
      const known = names.length > 0 ? `shipped roles are ${names.join(", ")}` : "no shipped roles were found next to this program";
      return { problem: `unknown role "${trimmed}" (${known}); or give a file path (./my-role.md) or the text itself` };
    }
    return checked(readFileSync(join(dir, `${trimmed}.md`), "utf8"), `shipped: roles/${trimmed}.md`);
  }
  if (!value.includes("\n") && looksLikePath(trimmed)) {
    const file = resolve(baseDir, trimmed.replace(/^~(?=\/)/, process.env.HOME ?? "~"));
    let text: string;
    try {
      if (!statSync(file).isFile()) return { problem: `${file} is not a file` };
      if (statSync(file).size > MAX_ROLE_BYTES) return { problem: `${file} is larger than ${MAX_ROLE_BYTES} bytes` };
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { problem: `cannot read the role file ${file}: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}` };
    }
    return checked(text, file);
  }
  return checked(value, "inline");
}

function checked(text: string, source: string): { role: RoleConfig } | { problem: string } {
  const where = source === "inline" ? "the role's text" : source;
  if (text.includes("\0")) return { problem: `${where} contains a NUL byte` };
  if (Buffer.byteLength(text) > MAX_ROLE_BYTES) return { problem: `${where} is larger than ${MAX_ROLE_BYTES} bytes` };
  if (text.trim() === "") return { problem: `${where} is empty` };
  return { role: Object.freeze({ source, text: text.trim() }) };
}

/** `agents.N.role` problems, for load.ts's cross-field rules. */
export function roleProblems(agent: Record<string, unknown>, index: number, baseDir: string): string[] {
  if (typeof agent.role !== "string") return []; // absent, or not text: the schema says so
  const resolved = resolveRole(agent.role, baseDir);
  if ("problem" in resolved) return [`agents.${index}.role: ${resolved.problem}`];
  const flags = APPENDING_FLAGS[agent.runtime as Runtime] ?? [];
  const args = Array.isArray(agent.args) ? agent.args.filter((arg): arg is string => typeof arg === "string") : [];
  const clash = args.find((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
  return clash === undefined
    ? []
    : [`agents.${index}.args: ${clash.split("=")[0]} appends to the system prompt, and so does role:; give the text in role: and remove the flag`];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
