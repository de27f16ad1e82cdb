/**
 * Reading a user's credential files and writing the agent's copies. The
 * agent's folder is the program's own (a sandboxed program writes in it), so
 * a copy is written to a fresh file renamed into place (a planted symlink is
 * replaced, never written through), and no folder on the way may be a
 * symlink (a rename into a linked folder would land outside).
 */
import { createHash } from "node:crypto";
import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { readRegularFile } from "../../core/index.js";

/** A credential file is small; anything larger is not one. */
const MAX_BYTES = 1024 * 1024;

export function readSmallFile(path: string): string | null {
  const text = readRegularFile(path);
  return text !== null && Buffer.byteLength(text) <= MAX_BYTES ? text : null;
}

export function readJsonObject(path: string): Record<string, unknown> | null {
  const text = readSmallFile(path);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The value at a dotted path (`security.auth`), or undefined. */
export function getPath(object: Record<string, unknown>, path: string): unknown {
  let value: unknown = object;
  for (const key of path.split(".")) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** A copy of `object` with `value` at the dotted path (objects on the way created or copied). */
export function setPath(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [key, ...rest] = path.split(".") as [string, ...string[]];
  if (rest.length === 0) return { ...object, [key]: value };
  const inner = isRecord(object[key]) ? (object[key] as Record<string, unknown>) : {};
  return { ...object, [key]: setPath(inner, rest.join("."), value) };
}

/** Writes `text` at `file` (mode 0600) inside `root`, creating folders (0700) on the way; refuses a symlinked folder. */
export function writePrivate(root: string, file: string, text: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  let dir = root;
  for (const part of relative(root, dirname(file))
    .split(sep)
    .filter((p) => p !== "")) {
    dir = `${dir}${sep}${part}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (lstatSync(dir).isSymbolicLink() || !lstatSync(dir).isDirectory()) throw new Error(`${dir} is not a folder of the agent's own`);
  }
  const temp = `${file}.${process.pid}.seed.tmp`;
  rmSync(temp, { force: true });
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
