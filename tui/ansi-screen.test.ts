import { describe, expect, it } from "vitest";
import { cropLine, fitScreen, isBlank, normalizeSgr } from "./ansi-screen.js";

describe("cropLine", () => {
  it("keeps colours, cuts at the width and resets at the end", () => {
    expect(cropLine("ab\x1b[31mcdef\x1b[0mgh", 4)).toBe("ab\x1b[31mcd\x1b[0m");
    expect(cropLine("plain text", 5)).toBe("plain");
  });

  it("drops escapes that are not colours, and control characters", () => {
    expect(cropLine("\x1b]0;title\x07a\x1b[2Kb\x1b[?25lc\td\x07", 10)).toBe("abcd");
  });

  it("counts wide characters as two columns", () => {
    expect(cropLine("漢字漢字", 5)).toBe("漢字");
    expect(cropLine("a😀b", 3)).toBe("a😀");
  });
});

describe("normalizeSgr", () => {
  it("turns truecolour into the nearest xterm-256 colour and keeps the rest", () => {
    expect(normalizeSgr("1;38;2;255;0;0")).toBe("1;38;5;196");
    expect(normalizeSgr("48:2:0:0:255")).toBe("48;5;21");
    expect(normalizeSgr("38;5;208;4")).toBe("38;5;208;4");
    expect(normalizeSgr("")).toBe("0");
  });

  it("skips underline colours, which blessed does not know", () => {
    expect(normalizeSgr("4;58;5;9;31")).toBe("4;31");
  });
});

describe("fitScreen", () => {
  it("shows the rows that end at the last one with something on it", () => {
    const capture = ["one", "two", "\x1b[32mthree\x1b[0m", "four", "", "  ", ""].join("\n");
    expect(fitScreen(capture, 3, 2)).toEqual(["\x1b[32mthr\x1b[0m", "fou"]);
    expect(fitScreen(capture, 10, 10)).toHaveLength(4);
    expect(fitScreen("", 10, 5)).toEqual([]);
  });

  it("treats a line of escapes and spaces as blank", () => {
    expect(isBlank("\x1b[0m   \x1b[49m")).toBe(true);
    expect(isBlank("\x1b[0m x")).toBe(false);
  });
});
