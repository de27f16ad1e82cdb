import { closeSync, fstatSync, ftruncateSync, openSync, readSync, watch, writeSync, writeFileSync, type FSWatcher } from "node:fs";
import { parseHookLine, type ClaudeHookEvent } from "../hook-events.js";

/** Events kept for replay and lookups: a few turns' worth (a turn is a handful of hooks). */
const KEEP = 500;

/**
 * Follows one session's hook file (agents/claude/hooks.ts): every complete
 * line appended is parsed and handed on, in order. inotify (fs.watch) wakes
 * it; no polling. It reads only what is new, from its own offset; a line
 * still being written waits for its newline.
 */
export class HookFeed {
  /** The latest events, oldest first. */
  readonly history: ClaudeHookEvent[] = [];
  private fd: number | null = null;
  private watcher: FSWatcher | null = null;
  private offset = 0;
  private carry = Buffer.alloc(0);
  /** The last complete line read, kept by `compact`. */
  private lastLine = "";

  constructor(
    readonly file: string,
    private readonly onEvent: (event: ClaudeHookEvent) => void,
  ) {}

  /** Empties the file: the session's program is about to start anew. */
  static reset(file: string): void {
    writeFileSync(file, "", { mode: 0o600 });
  }

  /** Starts following, replaying what the file already holds (a program that kept running while no bridge watched). */
  open(): void {
    if (this.fd !== null) return;
    writeFileSync(this.file, "", { flag: "a", mode: 0o600 });
    this.fd = openSync(this.file, "r");
    this.watcher = watch(this.file, () => this.drain());
    this.watcher.on("error", () => undefined);
    this.drain();
  }

  /** Reads what was appended since the last read (also called by waiters that time out, as a safety net). */
  drain(): void {
    if (this.fd === null) return;
    const size = fstatSync(this.fd).size;
    if (size < this.offset) {
      // Emptied behind our back (a new program): start over.
      this.offset = 0;
      this.carry = Buffer.alloc(0);
    }
    if (size === this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const read = readSync(this.fd, buffer, 0, buffer.length, this.offset);
    this.offset += read;
    // Split on the last newline byte, so a character cut by a write in progress is never decoded half.
    const data = Buffer.concat([this.carry, buffer.subarray(0, read)]);
    const end = data.lastIndexOf(0x0a);
    this.carry = end < 0 ? data : data.subarray(end + 1);
    if (end < 0) return;
    const text = data.subarray(0, end).toString("utf8");
    for (const line of text.split("\n")) {
      const event = parseHookLine(line);
      if (!event) continue;
      this.lastLine = line;
      this.history.push(event);
      if (this.history.length > KEEP) this.history.splice(0, this.history.length - KEEP);
      this.onEvent(event);
    }
  }

  /**
   * Keeps the file from growing for as long as its program runs (every
   * prompt passes through it): once it holds `maxBytes`, it is cut back to
   * its last event, which carries the conversation id and transcript and
   * leaves a replaying bridge in the same state. Called between tasks, when
   * only a late notification could be written meanwhile; the history in
   * memory is untouched. Returns whether it cut.
   */
  compact(maxBytes: number): boolean {
    if (this.fd === null) return false;
    this.drain();
    if (this.offset < maxBytes || this.carry.length > 0) return false;
    const keep = Buffer.from(this.lastLine ? `${this.lastLine}\n` : "");
    const fd = openSync(this.file, "r+");
    try {
      ftruncateSync(fd, 0);
      if (keep.length > 0) writeSync(fd, keep, 0, keep.length, 0);
    } finally {
      closeSync(fd);
    }
    this.offset = keep.length;
    return true;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
