/**
 * What a recorded pane may send to a person's terminal when it is replayed.
 *
 * A replay re-emits the program's own display sequences (colours, cursor
 * movement, erasing, the alternate screen): that is what the pane showed, and
 * without them a TUI's recording is unreadable. Everything that acts beyond
 * the screen is removed: every OSC (title changes, OSC 52 clipboard writes,
 * hyperlinks, colour-palette changes and queries), DCS/SOS/PM/APC strings
 * (tmux passthrough, DECRQSS), queries whose answer the terminal types into
 * its input (device status and attributes, window reports, mode reports),
 * modes that make the terminal send input (mouse, focus, bracketed paste,
 * application keys), full resets, scrollback erasure, charset shifts, C1
 * controls and every C0 control but `\t`, `\n`, `\r` and backspace.
 *
 * A whitelist, not a blacklist: a CSI is kept only when its final byte is a
 * display function below (with plain numeric parameters), a private mode
 * only when it is listed. It is a streaming state machine (the way a terminal
 * parses), so a sequence split across two recorded events is judged whole,
 * and one pass over the text is linear in its length. `restore()` undoes the
 * lasting display state the replay turned on, for a replay that stops early.
 */

/** CSI final bytes of display functions (cursor, erase, insert/delete, scroll, SGR, tabs). */
const CSI_DISPLAY = new Set("@ABCDEFGHIJKLMPSTXZ`abdefgmrsu".split(""));
/** Private modes (`CSI ? n h/l`) that only change what is drawn. */
const PRIVATE_MODES = new Set(["7", "25", "47", "1047", "1048", "1049"]);
const ALT_SCREEN = new Set(["47", "1047", "1049"]);
/** Longer CSI parameter strings are not display functions anyone sends: dropped whole. */
const MAX_CSI = 64;

type State = "ground" | "esc" | "escInter" | "csi" | "csiDrop" | "string" | "stringEsc" | "oscString";

export class ReplayFilter {
  private state: State = "ground";
  private seq = "";
  private alt = false;
  private cursorHidden = false;
  private scrollRegion = false;
  private noWrap = false;
  private insert = false;
  private graphics = false;
  private lastChar = "\n";

  /** Feeds the next piece of the recording; returns what may be written to the terminal. */
  push(chunk: string): string {
    let out = "";
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === "ground") {
        // Fast path: copy the run of plain text up to the next control character.
        let j = i;
        while (j < n) {
          const c = chunk.charCodeAt(j);
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) break;
          j++;
        }
        if (j > i) {
          out += chunk.slice(i, j);
          i = j;
          continue;
        }
      }
      out += this.step(chunk[i]!);
      i++;
    }
    if (out.length > 0) this.lastChar = out[out.length - 1]!;
    return out;
  }

  /** What puts the person's terminal back: attributes reset, main screen, cursor shown, wrapping on, a line break. */
  restore(): string {
    let out = "\x1b[0m";
    if (this.graphics) out += "\x1b(B";
    if (this.insert) out += "\x1b[4l";
    if (this.noWrap) out += "\x1b[?7h";
    if (this.scrollRegion) out += "\x1b[r";
    if (this.alt) out += "\x1b[?1049l";
    if (this.cursorHidden) out += "\x1b[?25h";
    if (this.lastChar !== "\n" && !this.alt) out += "\r\n";
    this.state = "ground";
    this.seq = "";
    this.alt = this.cursorHidden = this.scrollRegion = this.noWrap = this.insert = this.graphics = false;
    this.lastChar = "\n";
    return out;
  }

  private step(ch: string): string {
    const c = ch.charCodeAt(0);
    switch (this.state) {
      case "ground":
        return this.ground(ch, c);
      case "esc":
        return this.escape(ch, c);
      case "escInter":
        return this.escapeIntermediate(ch, c);
      case "csi":
      case "csiDrop":
        return this.csi(ch, c);
      case "string":
      case "oscString":
        if (c === 0x1b) this.state = "stringEsc";
        else if (c === 0x9c || (c === 0x07 && this.state === "oscString") || c === 0x18 || c === 0x1a) this.state = "ground";
        return "";
      case "stringEsc":
        // ESC \ ends the string; any other ESC ends it too and starts a new escape, as a terminal does.
        this.state = "ground";
        if (ch === "\\") return "";
        return this.step("\x1b") + this.step(ch);
    }
  }

  private ground(ch: string, c: number): string {
    if (c === 0x1b) {
      this.state = "esc";
      this.seq = "";
      return "";
    }
    if (c === 0x9b) return this.enter("csiDrop");
    if (c === 0x9d) return this.enter("oscString");
    if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) return this.enter("string");
    if (ch === "\n" || ch === "\r" || ch === "\t" || ch === "\b") return ch;
    return ""; // BEL, SO/SI, VT, FF, DEL, the other C0 and C1 controls
  }

  private enter(state: State): string {
    this.state = state;
    this.seq = "";
    return "";
  }

  private escape(ch: string, c: number): string {
    if (c === 0x1b) return ""; // ESC ESC: the second one starts the sequence
    if (ch === "[") return this.enter("csi");
    if (ch === "]") return this.enter("oscString");
    if (ch === "P" || ch === "X" || ch === "^" || ch === "_") return this.enter("string");
    if (c >= 0x20 && c <= 0x2f) {
      this.state = "escInter";
      this.seq = ch;
      return "";
    }
    this.state = "ground";
    // A control inside an escape (C0, DEL or a C1) is judged on its own; the escape is void.
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return this.ground(ch, c);
    // DECSC, DECRC, index, next line, reverse index, tab set. Not: RIS (ESC c), keypad modes, DECID, shifts.
    return "78DEMH".includes(ch) ? `\x1b${ch}` : "";
  }

  private escapeIntermediate(ch: string, c: number): string {
    if (c >= 0x20 && c <= 0x2f && this.seq.length < 4) {
      this.seq += ch;
      return "";
    }
    this.state = "ground";
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return this.ground(ch, c);
    // G0 as ASCII or as DEC line drawing (how curses draws boxes); every other designation is dropped.
    if (this.seq === "(" && (ch === "B" || ch === "0")) {
      this.graphics = ch === "0";
      return `\x1b(${ch}`;
    }
    return "";
  }

  private csi(ch: string, c: number): string {
    if (c >= 0x40 && c <= 0x7e) {
      const dropped = this.state === "csiDrop";
      this.state = "ground";
      return dropped ? "" : this.judge(this.seq, ch);
    }
    if (c >= 0x20 && c <= 0x3f) {
      if (this.seq.length >= MAX_CSI) this.state = "csiDrop";
      else this.seq += ch;
      return "";
    }
    // A control inside a CSI (or a C1, or DEL): the CSI is void, the control is judged on its own.
    this.state = "ground";
    this.seq = "";
    return c === 0x7f ? "" : this.ground(ch, c);
  }

  /** A complete CSI: kept (or rebuilt) when it only draws, otherwise "". */
  private judge(params: string, final: string): string {
    if (params.startsWith("?")) {
      if (final !== "h" && final !== "l") return "";
      const modes = params
        .slice(1)
        .split(";")
        .filter((mode) => PRIVATE_MODES.has(mode));
      if (modes.length === 0) return "";
      const on = final === "h";
      for (const mode of modes) {
        if (ALT_SCREEN.has(mode)) this.alt = on;
        if (mode === "25") this.cursorHidden = !on;
        if (mode === "7") this.noWrap = !on;
      }
      return `\x1b[?${modes.join(";")}${final}`;
    }
    // Parameters must be plain numbers (SGR may use `:` sub-parameters); no private markers, no intermediates.
    if (!/^[0-9;:]*$/.test(params)) return "";
    if (final === "h" || final === "l") {
      if (params !== "4") return "";
      this.insert = final === "h";
      return `\x1b[4${final}`;
    }
    if (!CSI_DISPLAY.has(final)) return "";
    // CSI 3 J erases the terminal's scrollback: the person's own history, not the pane's.
    if (final === "J" && params.split(";").includes("3")) return "";
    if (final === "r") this.scrollRegion = params !== "";
    return `\x1b[${params}${final}`;
  }
}

/** `ReplayFilter` over one whole text (no restore sequence appended). */
export function replaySafe(text: string): string {
  return new ReplayFilter().push(text);
}
