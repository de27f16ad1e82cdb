/**
 * Text that becomes a task or a file the swarm reads must be what it looks
 * like. bash silently drops NUL bytes (so `mk\0fs` runs mkfs) and a shell
 * script file stops at one; bytes that are not UTF-8 would be replaced by
 * U+FFFD without a word. Both are refused with where they are; so is a task
 * larger than the swarm's limit (`limits.task_bytes`), which would otherwise
 * sit in Redis and in every copy of the task.
 */
import { UsageError } from "./errors.js";

/** Where a NUL or an unpaired UTF-16 surrogate (what cannot be written as UTF-8) first occurs in a string, or -1. */
export function firstBadCharacter(text: string): { index: number; what: "NUL" | "surrogate" } | null {
  const nul = text.indexOf("\0");
  const surrogate = firstLoneSurrogate(text);
  if (nul < 0 && surrogate < 0) return null;
  return nul >= 0 && (surrogate < 0 || nul < surrogate) ? { index: nul, what: "NUL" } : { index: surrogate, what: "surrogate" };
}

function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) return i;
  }
  return -1;
}

/** The byte offset of the first byte that does not belong to valid UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

export interface TaskTextOptions {
  /** The largest task in bytes of UTF-8 (the swarm's `limits.task_bytes`). */
  readonly limitBytes: number;
  /** Where the text came from, to start the message with: `--task-file notes.md`, `stdin`. */
  readonly what?: string;
}

/** Throws a UsageError when a task's text is empty, holds a NUL or an unpaired surrogate, or exceeds the limit. */
export function checkTaskText(text: unknown, options: TaskTextOptions): asserts text is string {
  const what = options.what ? `${options.what}: ` : "";
  if (typeof text !== "string" || text.trim() === "") throw new UsageError(`${what}the task text is empty`, { hint: 'Pass --task "…".' });
  const bad = firstBadCharacter(text);
  if (bad?.what === "NUL") {
    throw new UsageError(`${what}the task text contains a NUL byte (character ${bad.index}); bash would silently drop it, so the task is refused`, {
      hint: "Remove the NUL bytes; a binary file is not a task.",
    });
  }
  if (bad) throw new UsageError(`${what}the task text is not valid Unicode (an unpaired surrogate at character ${bad.index}), so it cannot be stored as UTF-8`);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > options.limitBytes) {
    throw new UsageError(`${what}the task text is ${exactSize(bytes)}, over this swarm's limit of ${exactSize(options.limitBytes)}`, {
      hint: "Put large inputs in a file the task reads, or raise `limits: { task_bytes: N }` in swarm.yaml.",
    });
  }
}

/** `4097 bytes (4 KiB)`: exact, with the rounded size for a person. */
function exactSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${bytes} bytes (${formatBytes(bytes)})`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}
