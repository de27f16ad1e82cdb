import { isUtf8 } from "node:buffer";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { checkTaskText, firstBadCharacter, firstInvalidUtf8 } from "./text.js";
import { readTextFile } from "./text-file.js";

describe("firstInvalidUtf8", () => {
  it.each([
    ["ASCII", [0x61, 0x62], -1],
    ["two, three and four byte sequences", [...Buffer.from("é€🎉")], -1],
    ["a lone continuation byte", [0x61, 0x80], 1],
    ["a truncated sequence at the end", [0x61, 0xe2, 0x82], 1],
    ["an overlong encoding of '/'", [0xc0, 0xaf], 0],
    ["an overlong three-byte encoding", [0xe0, 0x80, 0xaf], 0],
    ["a UTF-16 surrogate encoded in UTF-8", [0xed, 0xa0, 0x80], 0],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a Latin-1 é", [0x63, 0x61, 0x66, 0xe9], 3],
  ])("%s: %j → %i", (_, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
    expect(offset < 0).toBe(isUtf8(Uint8Array.from(bytes)));
  });
});

describe("firstBadCharacter", () => {
  it("finds a NUL and an unpaired surrogate, whichever comes first, and accepts paired ones", () => {
    expect(firstBadCharacter("ok 🎉")).toBeNull();
    expect(firstBadCharacter("mk\0fs")).toEqual({ index: 2, what: "NUL" });
    expect(firstBadCharacter("a\ud800b\0")).toEqual({ index: 1, what: "surrogate" });
    expect(firstBadCharacter("a\udc00")).toEqual({ index: 1, what: "surrogate" });
  });
});

describe("checkTaskText", () => {
  const limit = { limitBytes: 16 };
  it("accepts text up to the limit in UTF-8 bytes", () => {
    expect(() => checkTaskText("é".repeat(8), limit)).not.toThrow();
  });

  it.each([
    ["an empty task", "  ", "the task text is empty"],
    ["a NUL byte", "mk\0fs /dev/sda", "the task text contains a NUL byte (character 2); bash would silently drop it, so the task is refused"],
    ["an unpaired surrogate", "echo \ud800", "the task text is not valid Unicode (an unpaired surrogate at character 5), so it cannot be stored as UTF-8"],
    ["text over the limit", "é".repeat(9), "the task text is 18 bytes, over this swarm's limit of 16 bytes"],
    ["text over a limit in KiB", "x".repeat(1025), "the task text is 1025 bytes (1 KiB), over this swarm's limit of 16 bytes"],
  ])("refuses %s with a UsageError", (_, text, message) => {
    expect(() => checkTaskText(text, limit)).toThrow(UsageError);
    expect(() => checkTaskText(text, limit)).toThrow(message);
    expect(() => checkTaskText(text, { ...limit, what: "--task-file t.sh" })).toThrow(`--task-file t.sh: ${message}`);
  });
});

describe("readTextFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-text-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const read = (path: string, maxBytes = 1024): string => readTextFile(path, { what: "test file", maxBytes });

  it("reads UTF-8 text as it is", () => {
    expect(read(file("ok.txt", "héllo 🎉\n"))).toBe("héllo 🎉\n");
  });

  it.each([
    ["missing", () => join(dir, "nope.txt"), "cannot read test file PATH: no such file"],
    ["a folder", () => dir, "cannot read test file PATH: it is a folder, not a file"],
    ["a device", () => "/dev/zero", "cannot read test file PATH: not a regular file"],
    ["binary", () => file("bin", Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00])), "test file PATH: binary data, not text (a NUL byte at byte 5)"],
    ["not UTF-8", () => file("latin1", Buffer.from("caf\xe9", "latin1")), "test file PATH: not UTF-8 text (an invalid byte 0xe9 at byte 3)"],
    [
      "too large",
      () => {
        const p = file("big", "");
        truncateSync(p, 2048);
        return p;
      },
      "test file PATH: too large (2 KiB; the limit is 1 KiB)",
    ],
  ])("refuses a file that is %s, naming it", (_, path, message) => {
    const p = path();
    expect(() => read(p)).toThrow(UsageError);
    expect(() => read(p)).toThrow(message.replace("PATH", p));
  });
});
