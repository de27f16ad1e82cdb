import { createWriteStream, type WriteStream } from "node:fs";
import type { Redactor } from "./redact.js";

export type LogFn = (event: string, data?: Record<string, unknown>) => void;

export interface Logger {
  readonly log: LogFn;
  close(): Promise<void>;
}

/**
 * JSON-lines log to a file under the home. Never to the terminal: the TUI
 * owns it, and a foreground `up` prints its own progress lines.
 */
export function fileLogger(file: string, component: string, redact: Redactor = (text) => text): Logger {
  let stream: WriteStream | null = createWriteStream(file, { flags: "a", mode: 0o600 });
  stream.on("error", () => {
    stream = null;
  });
  return {
    log(event, data = {}) {
      stream?.write(`${redact(JSON.stringify({ at: new Date().toISOString(), component, event, ...data }, errorReplacer))}\n`);
    },
    close() {
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
