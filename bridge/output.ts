import { readSync, closeSync, fstatSync } from "node:fs";
import { openRegularFile, stripAnsi } from "../core/index.js";

/** The result holds the first and last 64 KB of a task's output; the whole of it stays in its file. */
export const OUTPUT_EDGE_BYTES = 64 * 1024;

export function readOutputForResult(file: string, edge = OUTPUT_EDGE_BYTES): string {
  // An interactive agent's output is its result file, in a folder its (sandboxed) program can write.
  const fd = openRegularFile(file);
  if (fd === null) return "";
  try {
    const size = fstatSync(fd).size;
    if (size <= edge * 2) return stripAnsi(readRange(fd, 0, size));
    const head = readRange(fd, 0, edge);
    const tail = readRange(fd, size - edge, edge);
    const omitted = size - edge * 2;
    return stripAnsi(`${head}\n… [${omitted} bytes omitted; the whole output is in ${file}] …\n${tail}`);
  } finally {
    closeSync(fd);
  }
}

function readRange(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read).toString("utf8");
}
