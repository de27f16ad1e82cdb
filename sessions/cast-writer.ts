import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { castEventLine, castHeaderLine, parseCastHeader, type CastHeader, type SpareFiles } from "../core/index.js";

/** Our in-band markers (marker-scanner.ts): protocol, not the program's output; never recorded as output. */
const OPEN = "\x1b]7777;ca;";
const CLOSE = "\x07";
const MAX_MARKER = 512;
/**
 * Events are gathered and written together: a task's whole recording is
 * usually one write at its end, and a long one is written every 100 ms (what
 * `submit --wait` reads). Writing each event through a WriteStream cost the
 * daemon ~2.4 ms of CPU per task in a burst (bench: thread-pool round trips).
 */
const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;

export interface CastWriterOptions {
  readonly file: string;
  readonly header: Omit<CastHeader, "version" | "timestamp">;
  /** Turns one of our markers (its fields) into a marker event's label, or null to leave no trace of it. */
  readonly label?: (fields: string[]) => string | null;
  readonly onError?: (error: Error) => void;
  /** The clock, in milliseconds (a seam for tests). */
  readonly now?: () => number;
  /** Emptied files to make a new recording from, instead of a new file (core/spare-files.ts). */
  readonly spares?: SpareFiles;
}

/**
 * Writes one pane's output as an asciicast v2 recording, event by event as
 * the control-mode stream delivers it: times are those of the stream's
 * arrival, bytes are the pane's (decoded as UTF-8 across chunk boundaries).
 * Our own OSC 7777 markers are cut out (they carry a dispatch's nonce) and
 * may become marker events. A file that exists is continued (a bridge that
 * restarted mid-task, a task dispatched again): its times go on from its
 * header's timestamp. Events are buffered and appended in order, every
 * 100 ms or 64 KB and at the end; a write error stops the recording, never
 * the task.
 */
export class CastWriter {
  private fd: number | null;
  private pending = "";
  private timer: NodeJS.Timeout | null = null;
  private readonly decoder = new StringDecoder("utf8");
  private readonly now: () => number;
  private readonly startMs: number;
  private carry = "";
  private failed = false;
  private closed = false;
  bytes = 0;

  constructor(private readonly options: CastWriterOptions) {
    this.now = options.now ?? Date.now;
    // A new recording is the common case: one exclusive create, with no look for a recording to continue first.
    // O_NOFOLLOW: a link planted at the recording's name is refused, not written through (with O_EXCL a link is
    // EEXIST, and the open below refuses it).
    let fd = createExclusive(options.file, options.spares);
    const existing = fd === null ? headerOf(options.file) : null;
    fd ??= openSync(options.file, constants.O_WRONLY | constants.O_NOFOLLOW | (existing ? constants.O_APPEND : constants.O_TRUNC), 0o600);
    this.fd = fd;
    this.startMs = existing ? existing.timestamp * 1000 : this.now();
    // asciicast v2 wants whole seconds; event times stay exact from the moment the recording began.
    if (!existing) this.write(castHeaderLine({ version: 2, ...options.header, timestamp: Math.floor(this.startMs / 1000) }));
  }

  /** Pane bytes as a latin1 string (one char per byte), as the control client delivers them. */
  output(latin1: string): void {
    const data = this.carry + latin1;
    this.carry = "";
    let from = 0;
    for (;;) {
      const start = data.indexOf(OPEN, from);
      if (start < 0) break;
      const end = data.indexOf(CLOSE, start + OPEN.length);
      if (end < 0) {
        if (data.length - start > MAX_MARKER) break; // not one of ours: it stays output
        this.text(data.slice(from, start));
        this.carry = data.slice(start);
        return;
      }
      this.text(data.slice(from, start));
      const label = this.options.label?.(data.slice(start + OPEN.length, end).split(";"));
      if (label) this.marker(label);
      from = end + 1;
    }
    // A marker's opener may be cut at the very end of the chunk: keep it for the next one.
    let cut = data.length;
    const esc = data.lastIndexOf("\x1b");
    if (esc >= from && data.length - esc < OPEN.length && OPEN.startsWith(data.slice(esc))) cut = esc;
    this.text(data.slice(from, cut));
    this.carry = data.slice(cut);
  }

  input(text: string): void {
    this.event("i", text);
  }

  marker(label: string): void {
    this.event("m", label);
  }

  resize(width: number, height: number): void {
    this.event("r", `${width}x${height}`);
  }

  /** Writes what is still held back (a cut marker opener, half a UTF-8 character) and closes the file. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.text(this.carry);
    this.carry = "";
    const rest = this.decoder.end();
    if (rest) this.event("o", rest);
    this.closed = true;
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }

  private text(latin1: string): void {
    if (latin1 === "") return;
    const text = this.decoder.write(Buffer.from(latin1, "latin1"));
    if (text) this.event("o", text);
  }

  private event(code: "o" | "i" | "m" | "r", data: string): void {
    this.write(castEventLine(Math.max(0, this.now() - this.startMs) / 1000, code, data));
  }

  private write(line: string): void {
    if (this.failed || this.closed) return;
    this.bytes += line.length;
    this.pending += line;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === "" || this.fd === null || this.failed) return;
    const data = Buffer.from(this.pending, "utf8");
    this.pending = "";
    try {
      for (let at = 0; at < data.length; ) at += writeSync(this.fd, data, at);
    } catch (error) {
      this.failed = true;
      this.options.onError?.(error as Error);
    }
  }
}

/** A new file at `file`, or null when something is there already (a recording to continue, or a link). */
function createExclusive(file: string, spares: SpareFiles | undefined): number | null {
  try {
    return spares?.take(file) ?? openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw error;
  }
}

/** The header of a recording already at `file`, or null (none, or not a recording: then it is started anew). */
function headerOf(file: string): CastHeader | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(4096);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const line = buffer.subarray(0, read).toString("utf8").split("\n")[0] ?? "";
    const header = parseCastHeader(line);
    return typeof header === "string" ? null : header;
  } finally {
    closeSync(fd);
  }
}
