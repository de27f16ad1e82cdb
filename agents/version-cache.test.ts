import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VersionCache } from "./version-cache.js";
import { probeVersion } from "./versions.js";

let dir: string;
let clock: number;
let cache: VersionCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "version-cache-"));
  clock = 1_000_000;
  cache = new VersionCache({ dir: join(dir, "cache"), now: () => clock });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A program that prints `version` and counts how often it was asked, in `<file>.calls`. */
function program(file: string, version: string): string {
  writeFileSync(file, `#!/bin/sh\necho x >> "$0.calls"\necho "${version} (Fake CLI)"\n`);
  chmodSync(file, 0o755);
  return file;
}
const calls = (file: string) => readFileSync(`${file}.calls`, "utf8").split("\n").filter(Boolean).length;

describe("program versions remembered per executable file", () => {
  it("asks an unchanged program once, and answers the next probes from the cache", async () => {
    const fake = program(join(dir, "fake"), "1.2.3");
    expect(await probeVersion(fake, { cache })).toBe("1.2.3 (Fake CLI)");
    expect(await probeVersion(fake, { cache })).toBe("1.2.3 (Fake CLI)");
    expect(await probeVersion(fake, { cache: new VersionCache({ dir: join(dir, "cache"), now: () => clock }) })).toBe("1.2.3 (Fake CLI)");
    expect(calls(fake)).toBe(1);
  });

  it("finds a program named without a path on the PATH it is given, and remembers it by that file", async () => {
    program(join(dir, "fakecli"), "4.5.6");
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    expect(await probeVersion("fakecli", { cache, env })).toBe("4.5.6 (Fake CLI)");
    expect(await probeVersion("fakecli", { cache, env })).toBe("4.5.6 (Fake CLI)");
    expect(calls(join(dir, "fakecli"))).toBe(1);
  });

  it("asks again once the program's file was rewritten in place, even to the same size", async () => {
    const fake = program(join(dir, "fake"), "1.2.3");
    await probeVersion(fake, { cache });
    program(fake, "1.2.4");
    expect(await probeVersion(fake, { cache })).toBe("1.2.4 (Fake CLI)");
    expect(calls(fake)).toBe(2);
  });

  it("asks again when the command's symlink moved to another release", async () => {
    const old = program(join(dir, "release-1"), "1.0.0");
    const next = program(join(dir, "release-2"), "2.0.0");
    const link = join(dir, "cli");
    symlinkSync(old, link);
    expect(await probeVersion(link, { cache })).toBe("1.0.0 (Fake CLI)");
    unlinkSync(link);
    symlinkSync(next, link);
    expect(await probeVersion(link, { cache })).toBe("2.0.0 (Fake CLI)");
  });

  it("asks again after an hour, and does not remember a program that gave no version", async () => {
    const fake = program(join(dir, "fake"), "1.2.3");
    await probeVersion(fake, { cache });
    clock += 60 * 60 * 1000;
    await probeVersion(fake, { cache });
    expect(calls(fake)).toBe(2);

    const silent = join(dir, "silent");
    writeFileSync(silent, `#!/bin/sh\necho x >> "$0.calls"\nexit 1\n`);
    chmodSync(silent, 0o755);
    expect(await probeVersion(silent, { cache })).toBeNull();
    expect(await probeVersion(silent, { cache })).toBeNull();
    expect(calls(silent)).toBe(2);
  });

  it("treats an unreadable cache file as empty and replaces it", async () => {
    const fake = program(join(dir, "fake"), "1.2.3");
    await probeVersion(fake, { cache });
    writeFileSync(join(dir, "cache", "program-versions.json"), "{not json");
    expect(await probeVersion(fake, { cache })).toBe("1.2.3 (Fake CLI)");
    expect(await probeVersion(fake, { cache })).toBe("1.2.3 (Fake CLI)");
    expect(calls(fake)).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, "cache", "program-versions.json"), "utf8"))).toBeTypeOf("object");
  });
});
