import { closeSync, openSync, readSync, constants } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { parseCastEvent, ReplayFilter, stripAnsi, terminalLine } from "../core/index.js";

/**
 * The last lines of a task's pane, read as the flight recorder writes them
 * (`<home>/output/<id>.cast`): only the bytes added since the last look, whole
 * lines of the file only (the writer may be mid-line). The pane's bytes go
 * through ReplayFilter (which judges sequences split across events whole),
 * then lose every sequence and control character: what is shown is plain,
 * safe text. A carriage return keeps what was drawn after it, as a terminal
 * would show a progress bar.
 */
export class OutputTail {
  private offset = 0;
  private carry = "";
  private readonly filter = new ReplayFilter();
  private readonly done: string[] = [];
  private partial = "";
  /** A character cut by the end of one read is completed by the next. */
  private readonly decoder = new StringDecoder("utf8");

  /** `redact` is applied to each line shown (a line is where a secret's pattern can be found whole). */
  constructor(
    private readonly file: string,
    private readonly keep = 6,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** Reads what was appended; returns the lines that were completed by it. */
  poll(): string[] {
    const appended = this.read();
    if (appended === "") return [];
    const text = this.carry + appended;
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      this.carry = text;
      return [];
    }
    this.carry = text.slice(cut + 1);
    let output = "";
    for (const line of text.slice(0, cut).split("\n")) {
      const event = parseCastEvent(line);
      if (event && event[1] === "o") output += event[2];
    }
    return this.feed(output);
  }

  /** The last lines, the one being written last (when it has anything). */
  lines(): string[] {
    const all = this.partial.trim() === "" ? this.done : [...this.done, this.partial];
    return all.slice(-this.keep);
  }

  private feed(output: string): string[] {
    const plain = stripAnsi(this.filter.push(output)).replace(/\r+\n/g, "\n");
    const pieces = (this.partial + plain).split("\n");
    const show = (line: string) => terminalLine(this.redact(visible(line)));
    this.partial = show(pieces.pop() ?? "");
    const completed = pieces.map(show);
    this.done.push(...completed);
    if (this.done.length > this.keep) this.done.splice(0, this.done.length - this.keep);
    return completed;
  }

  private read(): string {
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return ""; // not there yet: the task has not been dispatched
    }
    try {
      const chunks: Buffer[] = [];
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n <= 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        this.offset += n;
        if (chunks.length >= 64) break; // 4 MB per look at most; the rest next time
      }
      return this.decoder.write(Buffer.concat(chunks));
    } finally {
      closeSync(fd);
    }
  }
}

/** What a terminal shows of a line: the text after its last carriage return. */
function visible(line: string): string {
  const cr = line.lastIndexOf("\r");
  return cr >= 0 ? line.slice(cr + 1) : line;
}
