import { createWriteStream, openSync, renameSync, rmSync, statSync, type WriteStream } from "node:fs";
import type { Redactor } from "./redact.js";

export type LogFn = (event: string, data?: Record<string, unknown>) => void;

export interface Logger {
  readonly log: LogFn;
  close(): Promise<void>;
}

export interface LogFileOptions {
  /** The file is rotated (`file.1`, `file.2`, …) once it holds this much. */
  readonly maxBytes?: number;
  /** How many rotated files are kept beside the current one. */
  readonly keep?: number;
  /** After a write error (a full disk), lines are dropped and the file is opened again this much later. */
  readonly retryMs?: number;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_KEEP = 3;
const DEFAULT_RETRY_MS = 5000;

/**
 * JSON-lines log to a file under the home. Never to the terminal: the TUI
 * owns it, and a foreground `up` prints its own progress lines. It never
 * grows without bound (rotated at 16 MB, 3 old files kept), and a write
 * error (a full disk) drops lines instead of stopping the process; logging
 * resumes, with a count of what was dropped, once the file can be written
 * again. One writer per file (the daemon; the TUI has its own).
 */
export function fileLogger(file: string, component: string, redact: Redactor = (text) => text, options: LogFileOptions = {}): Logger {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const keep = options.keep ?? DEFAULT_KEEP;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  let stream: WriteStream | null = null;
  let size = 0;
  let brokenAt: number | null = null;
  let dropped = 0;
  let closed = false;

  const open = (): void => {
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    let fd: number;
    try {
      // Opened now, not lazily: the file must exist before a rotation renames it.
      fd = openSync(file, "a", 0o600);
    } catch {
      brokenAt = Date.now();
      return;
    }
    const opened = createWriteStream(file, { fd });
    opened.on("error", () => {
      if (stream !== opened) return;
      stream = null;
      brokenAt = Date.now();
    });
    stream = opened;
  };

  const rotate = (): void => {
    const old = stream;
    stream = null;
    old?.end(); // its buffered lines land in the renamed file
    try {
      rmSync(`${file}.${keep}`, { force: true });
      for (let n = keep - 1; n >= 1; n--) {
        try {
          renameSync(`${file}.${n}`, `${file}.${n + 1}`);
        } catch {
          // that generation does not exist yet
        }
      }
      renameSync(file, `${file}.1`);
    } catch {
      // Cannot rotate (the file vanished, a read-only folder): go on appending.
    }
    open();
  };

  const write = (line: string): void => {
    if (closed) return;
    if (!stream) {
      if (brokenAt !== null && Date.now() - brokenAt < retryMs) {
        dropped++;
        return;
      }
      brokenAt = null;
      open();
      if (!stream) {
        dropped++;
        return;
      }
      if (dropped > 0) {
        const note = `${JSON.stringify({ at: new Date().toISOString(), component, event: "log.dropped", lines: dropped })}\n`;
        dropped = 0;
        write(note);
      }
    }
    if (size >= maxBytes) rotate();
    if (!stream) {
      dropped++;
      return;
    }
    size += Buffer.byteLength(line);
    stream.write(line);
  };

  open();
  return {
    log(event, data = {}) {
      write(`${redact(JSON.stringify({ at: new Date().toISOString(), component, event, ...data }, errorReplacer))}\n`);
    },
    close() {
      closed = true;
      const current = stream;
      stream = null;
      return new Promise((resolve) => (current ? current.end(resolve) : resolve()));
    },
  };
}

export const silentLogger: Logger = { log: () => undefined, close: async () => undefined };

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
