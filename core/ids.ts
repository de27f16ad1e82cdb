import { randomBytes } from "node:crypto";

/**
 * Task ids sort by creation time and are safe to type into a shell or a tmux
 * command: lowercase base36 and one hyphen, e.g. `mhx3k0a2-7fq9c1`.
 */
export function newTaskId(now: number = Date.now()): string {
  return `${now.toString(36)}-${randomSuffix(6)}`;
}

export function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

const SAFE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id);
}
