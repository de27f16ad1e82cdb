import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseCast } from "../core/index.js";
import { CastWriter } from "./cast-writer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(now: () => number = () => 1_700_000_000_000) {
  const dir = mkdtempSync(join(tmpdir(), "cast-"));
  dirs.push(dir);
  const file = join(dir, "t.cast");
  return { file, writer: (label?: (fields: string[]) => string | null) => new CastWriter({ file, header: { width: 80, height: 24, title: "t" }, label, now }) };
}

const latin1 = (text: string) => Buffer.from(text, "utf8").toString("latin1");

describe("CastWriter: a pane's bytes as an asciicast recording", () => {
  it("cuts our markers out, even split across chunks, and labels the ones asked for", async () => {
    const { file, writer } = setup();
    const w = writer((fields) => (fields[0] === "begin" ? `begin ${fields[1]}` : null));
    for (const chunk of ["a\x1b]77", "77;ca;begin;tok;nonce\x07b", "\x1b]7777;ca;prompt;n", "once\x07c\x1b", "]0;title\x07"]) w.output(latin1(chunk));
    await w.close();
    const cast = parseCast(readFileSync(file, "utf8"), file);
    expect(cast.header).toEqual({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000, title: "t" });
    expect(cast.events.map(([, code, data]) => [code, data])).toEqual([
      ["o", "a"],
      ["m", "begin tok"],
      ["o", "b"],
      ["o", "c"],
      ["o", "\x1b]0;title\x07"],
    ]);
    expect(readFileSync(file, "utf8")).not.toContain("nonce");
  });

  it("decodes UTF-8 cut between two chunks", async () => {
    const { file, writer } = setup();
    const w = writer();
    const bytes = latin1("ü✓");
    w.output(bytes.slice(0, 1));
    w.output(bytes.slice(1, 3));
    w.output(bytes.slice(3));
    await w.close();
    expect(
      parseCast(readFileSync(file, "utf8"), file)
        .events.map(([, , data]) => data)
        .join(""),
    ).toBe("ü✓");
  });

  it("continues an existing recording, times going on from its start", async () => {
    let now = 1_700_000_000_000;
    const { file, writer } = setup(() => now);
    const first = writer();
    first.input("prompt");
    now += 1500;
    first.output("one");
    await first.close();
    now += 1000;
    const second = writer();
    second.marker("adopted");
    second.output("two");
    await second.close();
    const cast = parseCast(readFileSync(file, "utf8"), file);
    expect(cast.events).toEqual([
      [0, "i", "prompt"],
      [1.5, "o", "one"],
      [2.5, "m", "adopted"],
      [2.5, "o", "two"],
    ]);
  });

  it("refuses to write through a link planted at the recording's name", () => {
    const { file, writer } = setup();
    const target = join(file, "..", "victim");
    writeFileSync(target, "keep me");
    symlinkSync(target, file);
    expect(() => writer()).toThrow(/ELOOP/);
    expect(readFileSync(target, "utf8")).toBe("keep me");
  });
});
