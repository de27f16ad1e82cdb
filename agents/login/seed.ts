/**
 * Seeds an agent's config folder with the user's own login for its program,
 * so that an agent works as soon as its user has logged in once, anywhere.
 * Credential files are copied (mode 0600) and JSON fields (Claude Code's
 * `oauthAccount`, Gemini's chosen auth method) merged into the agent's file.
 * A copy is refreshed only when the user's file changed since it was made
 * (its hash is recorded beside the folder, in `login-seed.json`): the program
 * renews its own copy's tokens, and an older file of the user's must not
 * overwrite them. An agent that sets its own key in `env` gets nothing.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { getPath, isRecord, readJsonObject, readSmallFile, setPath, sha256, writePrivate } from "./files.js";
import { loginSpec, ownKeys } from "./specs.js";

export interface SeedOptions {
  readonly runtime: string;
  /** The agent's config folder (`<home>/agents/<agent>/config`). */
  readonly configDir: string;
  readonly agentEnv: Readonly<Record<string, string>>;
  /** The user's home and environment, where the user's own login is found. */
  readonly userHome: string;
  readonly userEnv: NodeJS.ProcessEnv;
}

export interface SeedReport {
  /** Files of the agent's folder written this time. */
  readonly written: string[];
  /** The user's files the agent's login comes from (found, whether copied now or before). */
  readonly from: string[];
  /** Why nothing was seeded, when nothing could be. */
  readonly skipped: string | null;
}

/** Where the hashes of what was copied are kept: beside the config folder, out of the program's own files. */
export function seedStateFile(configDir: string): string {
  return join(dirname(configDir), "login-seed.json");
}

export function seedLogin(options: SeedOptions): SeedReport {
  const spec = loginSpec(options.runtime);
  if (!spec) return { written: [], from: [], skipped: `the ${options.runtime} runtime has no login` };
  const keys = ownKeys(spec, options.agentEnv);
  if (keys.length > 0) return { written: [], from: [], skipped: `the agent sets its own key (${keys.join(", ")}) in env` };
  const sources = spec.sources(options.userHome, options.userEnv);
  const stateFile = seedStateFile(options.configDir);
  const state = readJsonObject(stateFile) ?? {};
  const next: Record<string, unknown> = { ...state };
  const written: string[] = [];
  const from: string[] = [];
  for (const file of sources.files) {
    const text = readSmallFile(file.from);
    if (text === null || samePath(file.from, join(options.configDir, file.to))) continue;
    from.push(file.from);
    const hash = sha256(text);
    const target = join(options.configDir, file.to);
    if (state[file.to] === hash && existsSync(target)) continue;
    writePrivate(options.configDir, target, text);
    next[file.to] = hash;
    written.push(target);
  }
  for (const item of sources.fields) {
    const source = readJsonObject(item.from);
    const target = join(options.configDir, item.to);
    if (!source || samePath(item.from, target)) continue;
    const picked = item.fields.filter((field) => getPath(source, field) !== undefined);
    if (picked.length === 0) continue;
    from.push(item.from);
    const hash = sha256(JSON.stringify(picked.map((field) => [field, getPath(source, field)])));
    const current = readJsonObject(target);
    const present = current !== null && picked.every((field) => getPath(current, field) !== undefined);
    if (state[`${item.to}#fields`] === hash && present) continue;
    let merged: Record<string, unknown> = current ?? {};
    for (const field of picked) merged = setPath(merged, field, mergeValue(getPath(merged, field), getPath(source, field)));
    writePrivate(options.configDir, target, `${JSON.stringify(merged, null, 2)}\n`);
    next[`${item.to}#fields`] = hash;
    written.push(target);
  }
  if (written.length > 0) writePrivate(dirname(stateFile), stateFile, `${JSON.stringify(next, null, 2)}\n`);
  return { written, from, skipped: from.length === 0 ? "no login of the user's found" : null };
}

/** Objects are merged (the user's keys win, the agent's other keys stay: its own `env` entries); anything else is replaced. */
function mergeValue(current: unknown, theirs: unknown): unknown {
  return isRecord(current) && isRecord(theirs) ? { ...current, ...theirs } : theirs;
}

function samePath(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}
