import { describe, expect, it } from "vitest";
import { decodeOutput, tmuxQuote } from "./control-protocol.js";
import { MarkerScanner } from "./marker-scanner.js";

const marker = (...fields: string[]) => `\x1b]7777;ca;${fields.join(";")}\x07`;

describe("the marker scanner", () => {
  it("finds every marker in a chunk, in order", () => {
    const scanner = new MarkerScanner();
    expect(scanner.push(`out${marker("begin", "t1", "n")}more${marker("end", "t1", "n", "0")}`)).toEqual([
      ["begin", "t1", "n"],
      ["end", "t1", "n", "0"],
    ]);
  });

  it("finds a marker split across chunks, wherever the split falls", () => {
    const text = `before${marker("end", "tok", "nonce", "3")}after`;
    for (let cut = 1; cut < text.length; cut++) {
      const scanner = new MarkerScanner();
      const found = [...scanner.push(text.slice(0, cut)), ...scanner.push(text.slice(cut))];
      expect(found, `cut at ${cut}`).toEqual([["end", "tok", "nonce", "3"]]);
    }
  });

  it("ignores other OSC sequences and plain escapes", () => {
    const scanner = new MarkerScanner();
    expect(scanner.push("\x1b]0;title\x07\x1b[31mred\x1b[0m\x1b]7777;other\x07")).toEqual([]);
  });

  it("does not carry an unterminated opener forever", () => {
    const scanner = new MarkerScanner();
    scanner.push(`\x1b]7777;ca;${"x".repeat(600)}`);
    expect(scanner.push(`${marker("prompt")}`)).toEqual([["prompt"]]);
  });
});

describe("tmux control-mode payloads", () => {
  it("decodes octal escapes to the raw bytes, leaving other text alone", () => {
    expect(decodeOutput("a\\015\\012b\\134c\\033]x\\007")).toBe("a\r\nb\\c\x1b]x\x07");
    expect(decodeOutput("caf\u00c3\u00a9")).toBe("caf\u00c3\u00a9");
  });

  it("quotes arguments so tmux reads them back literally", () => {
    expect(tmuxQuote("%3")).toBe("%3");
    expect(tmuxQuote("-x")).toBe("'-x'");
    expect(tmuxQuote("it's; $HOME #{x}")).toBe(`'it'"'"'s; $HOME #{x}'`);
  });
});
