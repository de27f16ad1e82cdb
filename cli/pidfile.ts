import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { processAlive } from "../core/index.js";

/** Reads a pid file; returns the pid only if that process is alive (a zombie counts as gone). */
export function livePid(file: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return isAlive(pid) ? pid : null;
}

/** Zombie-aware liveness (core/process.ts), under the name the CLI and its tests use. */
export const isAlive = processAlive;

export function writePid(file: string, pid = process.pid): void {
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
}

export function removePid(file: string): void {
  rmSync(file, { force: true });
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isAlive(pid);
}
