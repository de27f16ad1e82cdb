/**
 * Finds our in-band markers in a pane's byte stream. A marker is an OSC
 * sequence, `ESC ] 7777 ; ca ; field ; field … BEL`: terminals (and tmux)
 * ignore unknown OSC numbers, so a person attached to the pane never sees it.
 * A marker may be split across two `%output` chunks, so the scanner carries
 * an unfinished tail; it only scans new data (never the whole history).
 */
const OPEN = "\x1b]7777;ca;";
const CLOSE = "\x07";
const MAX_MARKER = 512;

export class MarkerScanner {
  private carry = "";

  /** Feeds one chunk; returns the fields of every complete marker in it. */
  push(chunk: string): string[][] {
    let data = this.carry + chunk;
    this.carry = "";
    const found: string[][] = [];
    let from = 0;
    for (;;) {
      const start = data.indexOf(OPEN, from);
      if (start < 0) break;
      const end = data.indexOf(CLOSE, start + OPEN.length);
      if (end < 0) {
        if (data.length - start <= MAX_MARKER) this.carry = data.slice(start);
        return found;
      }
      found.push(data.slice(start + OPEN.length, end).split(";"));
      from = end + 1;
    }
    // Keep a possible partial opener at the very end of the chunk.
    const tail = data.slice(Math.max(from, data.length - OPEN.length + 1));
    const esc = tail.lastIndexOf("\x1b");
    if (esc >= 0 && OPEN.startsWith(tail.slice(esc))) this.carry = tail.slice(esc);
    data = "";
    return found;
  }
}
