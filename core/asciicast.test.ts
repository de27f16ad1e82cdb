import { describe, expect, it } from "vitest";
import { castEventLine, castHeaderLine, parseCast, parseCastEvent } from "./asciicast.js";

describe("asciicast v2 files", () => {
  it("reads back what it writes, escapes and all", () => {
    const text =
      castHeaderLine({ version: 2, width: 200, height: 50, timestamp: 1764640000, title: "task t on alpha" }) +
      castEventLine(0, "i", "echo hi\n") +
      castEventLine(0.0123456789, "o", "\x1b[31mhi\x1b[0m\r\n") +
      castEventLine(1.5, "m", "end: completed");
    const cast = parseCast(text, "x.cast");
    expect(cast.header).toEqual({ version: 2, width: 200, height: 50, timestamp: 1764640000, title: "task t on alpha" });
    expect(cast.events).toEqual([
      [0, "i", "echo hi\n"],
      [0.012346, "o", "\x1b[31mhi\x1b[0m\r\n"],
      [1.5, "m", "end: completed"],
    ]);
    expect(cast.skipped).toBe(0);
  });

  it("skips a last line cut off mid-write and lines that are not events", () => {
    const text = `${castHeaderLine({ version: 2, width: 80, height: 24, timestamp: 1 })}[0.1,"o","a"]\n[0.2,"x","b"]\n[-1,"o","c"]\n[0.3,"o","d`;
    const cast = parseCast(text, "x.cast");
    expect(cast.events).toEqual([[0.1, "o", "a"]]);
    expect(cast.skipped).toBe(3);
  });

  it("refuses a file that is not an asciicast v2 recording, naming it", () => {
    expect(() => parseCast("hello\n", "/h/output/t.cast")).toThrow(/\/h\/output\/t\.cast is not a recording: its first line is not JSON/);
    expect(() => parseCast('{"version":1,"width":80,"height":24}\n', "f")).toThrow(/only asciicast v2/);
    expect(() => parseCast('{"version":2,"width":0,"height":24,"timestamp":1}\n', "f")).toThrow(/width and height/);
  });

  it("an event is exactly [time, code, text]", () => {
    expect(parseCastEvent('[1,"o","x",4]')).toBeNull();
    expect(parseCastEvent('[1,"o",4]')).toBeNull();
    expect(parseCastEvent('{"t":1}')).toBeNull();
    expect(parseCastEvent('[2,"r","80x24"]')).toEqual([2, "r", "80x24"]);
  });
});
