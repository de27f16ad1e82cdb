/**
 * Reading a file a person gave the CLI (swarm.yaml, a workflow file,
 * `--task-file`): every way it can be wrong is a UsageError naming the path
 * (exit 2): missing, a folder or a device, unreadable, larger than the
 * caller's limit, binary (a NUL byte), or not UTF-8.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UsageError } from "./errors.js";
import { firstInvalidUtf8, formatBytes } from "./text.js";

export interface ReadTextOptions {
  /** What the file is, for messages: `config file`, `workflow file`, `--task-file`. */
  readonly what: string;
  /** Larger files are refused without being read in full. */
  readonly maxBytes: number;
}

/** The file's text; a UsageError with the path for any problem. `-` or a number reads that descriptor (`-` is stdin). */
export function readTextFile(file: string | number, options: ReadTextOptions): string {
  const label = file === "-" || file === 0 ? `${options.what} (stdin)` : `${options.what} ${String(file)}`;
  const bytes = readBytes(file === "-" ? 0 : file, label, options.maxBytes);
  return decodeText(bytes, label);
}

/** UTF-8 text without NUL bytes, or a UsageError saying where it is not. */
export function decodeText(bytes: Uint8Array, label: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new UsageError(`${label}: binary data, not text (a NUL byte at byte ${nul})`);
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) {
    throw new UsageError(`${label}: not UTF-8 text (an invalid byte 0x${bytes[invalid]!.toString(16).padStart(2, "0")} at byte ${invalid})`, {
      hint: "Convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8).",
    });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

function readBytes(file: string | number, label: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = typeof file === "number" ? file : openSync(file, "r");
  } catch (cause) {
    throw new UsageError(`cannot read ${label}: ${why(cause)}`, { cause, context: { file: String(file) } });
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(`cannot read ${label}: it is a folder, not a file`, { context: { file: String(file) } });
    if (typeof file === "string" && !stat.isFile()) throw new UsageError(`cannot read ${label}: not a regular file`, { context: { file } });
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(label, stat.size, maxBytes);
    // Read up to one byte past the limit: a pipe has no size to look at first, and a file may grow.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readChunk(fd, chunk, label);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(label, total, maxBytes, "at least ");
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (typeof file !== "number") closeSync(fd);
  }
}

function readChunk(fd: number, chunk: Buffer, label: string): number {
  for (;;) {
    try {
      return readSync(fd, chunk, 0, chunk.length, null);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === "EOF") return 0;
      if (code !== "EAGAIN") throw new UsageError(`cannot read ${label}: ${why(cause)}`, { cause });
      // A non-blocking stdin with nothing yet: wait a little, synchronously, and read again.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function tooLarge(label: string, size: number, maxBytes: number, prefix = ""): UsageError {
  return new UsageError(`${label}: too large (${prefix}${formatBytes(size)}; the limit is ${formatBytes(maxBytes)})`);
}

function why(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "no such file";
  if (code === "EISDIR") return "it is a folder, not a file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return code ?? String(cause);
}
