/**
 * Prepares an interactive agent's CLAUDE_CONFIG_DIR so that the TUI starts
 * unattended and offline: onboarding done, the API key approved, the working
 * folder trusted (without these it stops at a dialog, or exits when it cannot
 * reach the network). Its settings get our hooks and a rule that lets it
 * write result files without asking. What the user or Claude Code keeps in
 * these files is left as it is; a file is rewritten only when something of
 * ours is missing, atomically (Claude Code rewrites .claude.json itself).
 */
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { readRegularFile } from "../../core/index.js";
import { isObject, type JsonObject } from "../events.js";
import { writeRoleFile } from "../role-files.js";
import { shellQuote } from "../script.js";
import { HOOK_EVENTS, HOOK_SCRIPT_NAME, hookScript } from "./hooks.js";
import { RESULT_SUFFIX } from "./prompt.js";

export interface InteractiveConfig {
  readonly configDir: string;
  /** The pane's working directory, to be trusted. */
  readonly cwd: string;
  /** The API key the program will use, if any: Claude Code asks before using a key it has not approved. */
  readonly apiKey: string | null;
  /** Where result files (`*.result.md`) are written: Edit/Write of those is allowed without a prompt. */
  readonly resultsDir: string;
  /** The agent's role (swarm.yaml `role:`); null or absent: none. */
  readonly role?: string | null;
}

/** Returns the role file to name in `--append-system-prompt-file` (null: no role). */
export function prepareInteractiveConfig(options: InteractiveConfig): string | null {
  mkdirSync(options.configDir, { recursive: true, mode: 0o700 });
  mkdirSync(options.resultsDir, { recursive: true, mode: 0o700 });
  const script = join(options.configDir, HOOK_SCRIPT_NAME);
  writeIfChanged(script, hookScript(), 0o700);
  updateJson(join(options.configDir, "settings.json"), (settings) => withOurSettings(settings, script, options.resultsDir));
  updateJson(join(options.configDir, ".claude.json"), (state) => withStartupState(state, options));
  return writeRoleFile("claude", options.configDir, options.role ?? null);
}

/** Our hooks replace earlier entries of ours (recognised by the script name); the user's own hooks stay. */
export function withOurSettings(settings: JsonObject, script: string, resultsDir: string): JsonObject {
  const hooks: JsonObject = isObject(settings.hooks) ? { ...settings.hooks } : {};
  for (const event of HOOK_EVENTS) {
    const theirs = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]).filter((group) => !JSON.stringify(group).includes(HOOK_SCRIPT_NAME)) : [];
    hooks[event] = [...theirs, { hooks: [{ type: "command", command: `${shellQuote(script)} ${event}` }] }];
  }
  const permissions: JsonObject = isObject(settings.permissions) ? { ...settings.permissions } : {};
  const allow = Array.isArray(permissions.allow) ? [...(permissions.allow as unknown[])] : [];
  // `//` starts an absolute path in a permission rule; Edit rules cover Write too (measured: a Write rule did not).
  // Only result files: the folder also holds other dispatches' files.
  const rule = `Edit(/${resultsDir}/*${RESULT_SUFFIX})`;
  if (!allow.includes(rule)) allow.push(rule);
  permissions.allow = allow;
  return { ...settings, hooks, permissions };
}

export function withStartupState(state: JsonObject, options: Pick<InteractiveConfig, "cwd" | "apiKey">): JsonObject {
  const next: JsonObject = { ...state, hasCompletedOnboarding: true };
  if (typeof next.theme !== "string") next.theme = "dark";
  if (options.apiKey) {
    const responses: JsonObject = isObject(state.customApiKeyResponses) ? { ...state.customApiKeyResponses } : {};
    const approved = Array.isArray(responses.approved) ? [...(responses.approved as unknown[])] : [];
    const tail = options.apiKey.slice(-20);
    if (!approved.includes(tail)) approved.push(tail);
    const rejected = Array.isArray(responses.rejected) ? (responses.rejected as unknown[]).filter((key) => key !== tail) : [];
    next.customApiKeyResponses = { ...responses, approved, rejected };
  }
  const projects: JsonObject = isObject(state.projects) ? { ...state.projects } : {};
  for (const dir of new Set([options.cwd, realpath(options.cwd)])) {
    const project: JsonObject = isObject(projects[dir]) ? { ...projects[dir] } : {};
    projects[dir] = { ...project, hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true };
  }
  next.projects = projects;
  return next;
}

/** Whether Claude Code still has a conversation: `--resume` of an unknown id makes it exit at once. */
export function conversationExists(configDir: string, sessionId: string): boolean {
  const projects = join(configDir, "projects");
  try {
    return readdirSync(projects).some((dir) => existsSync(join(projects, dir, `${sessionId}.jsonl`)));
  } catch {
    return false;
  }
}

/*
 * The folder is the program's own, and a sandboxed program writes in it: what
 * is read here must be a regular file (not a FIFO that would block us, nor a
 * link to elsewhere), and what is written goes to a fresh file renamed into
 * place, so that a planted symlink is replaced, never written through.
 */
function updateJson(file: string, change: (value: JsonObject) => JsonObject): void {
  let current: JsonObject = {};
  const text = readRegularFile(file) ?? "";
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) current = parsed;
  } catch {
    // Missing, or unreadable JSON (which Claude Code would not start with either): written anew.
  }
  const next = `${JSON.stringify(change(current), null, 2)}\n`;
  if (text.trim() !== "" && JSON.stringify(JSON.parse(safeJson(text))) === JSON.stringify(JSON.parse(next))) return;
  writeAtomically(file, next, 0o600);
}

function writeAtomically(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, text);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

function safeJson(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return "null";
  }
}

function writeIfChanged(file: string, text: string, mode: number): void {
  if (readRegularFile(file) === text) return;
  writeAtomically(file, text, mode);
}

function realpath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}
