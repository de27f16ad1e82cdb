import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SpareFiles, spareCounts } from "./spare-files.js";

describe("spare files: a finished dispatch's files reused for the next dispatch and recording", () => {
  let dir: string;
  let spareDir: string;
  let spares: SpareFiles;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ca-spares-"));
    spareDir = join(dir, "jobs", ".spare");
    spares = new SpareFiles(spareDir, { reserve: 0, keep: 32 });
  });
  afterEach(() => {
    spares.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, content: string, mode = 0o644): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode });
    return path;
  };
  const write = (fd: number, text: string) => {
    writeSync(fd, text);
    closeSync(fd);
  };

  it("moves a given file's inode to the taken name, emptied of what it held and private to the swarm's user", () => {
    const job = file("t-1-1.job", "nonce\narg\nsecret task text\n");
    const inode = statSync(job).ino;
    spares.give(job);
    expect(existsSync(job)).toBe(false);
    expect(spares.size).toBe(1);
    const cast = join(dir, "t-2.cast");
    const fd = spares.take(cast)!;
    write(fd, "recording");
    expect(readFileSync(cast, "utf8")).toBe("recording");
    expect(statSync(cast).ino).toBe(inode);
    expect(statSync(cast).mode & 0o777).toBe(0o600);
    expect(readdirSync(spareDir)).toEqual([]);
  });

  it("keeps no given file's content on disk while it waits", () => {
    spares.give(file("t-1-1.job", "secret task text"));
    const [kept] = readdirSync(spareDir);
    expect(readFileSync(join(spareDir, kept!), "utf8")).toBe("");
  });

  it("starts with a reserve of empty private files, so that a dispatch that starts before the last one's files are given back finds one", () => {
    const reserved = new SpareFiles(join(dir, "reserved"), { reserve: 2, keep: 32 });
    try {
      expect(reserved.size).toBe(2);
      for (const name of readdirSync(join(dir, "reserved"))) {
        expect(statSync(join(dir, "reserved", name)).size).toBe(0);
        expect(statSync(join(dir, "reserved", name)).mode & 0o777).toBe(0o600);
      }
      const fd = reserved.take(join(dir, "t-1.cast"))!;
      write(fd, "recording");
      expect(readFileSync(join(dir, "t-1.cast"), "utf8")).toBe("recording");
      expect(reserved.size).toBe(1);
    } finally {
      reserved.close();
    }
  });

  it("makes enough at start for every session's running task to hold two, and keeps twice that", () => {
    expect(spareCounts(8)).toEqual({ reserve: 24, keep: 48 });
    expect(spareCounts(1)).toEqual({ reserve: 10, keep: 32 });
  });

  it("has nothing to take when nothing was given: the caller creates the file as before", () => {
    expect(spares.take(join(dir, "t-1.cast"))).toBeNull();
    expect(existsSync(join(dir, "t-1.cast"))).toBe(false);
  });

  it("refuses, like an exclusive create, a name that is taken already, a planted link included, and keeps its spare", () => {
    spares.give(file("a.claim", "pane\n"));
    const existing = file("t-1.cast", "an earlier recording");
    expect(() => spares.take(existing)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(readFileSync(existing, "utf8")).toBe("an earlier recording");
    const target = file("elsewhere", "not ours to write");
    const planted = join(dir, "t-2.cast");
    symlinkSync(target, planted);
    expect(() => spares.take(planted)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(readFileSync(target, "utf8")).toBe("not ours to write");
    expect(spares.size).toBe(1);
  });

  it("deletes, instead of keeping, a link or a file with a second name (it could be written or read through the other)", () => {
    const target = file("elsewhere", "not ours");
    const link = join(dir, "t-1-1.job");
    symlinkSync(target, link);
    spares.give(link);
    const twice = file("t-2-1.claim", "pane\n");
    linkSync(twice, join(dir, "other-name"));
    spares.give(twice);
    expect(spares.size).toBe(0);
    expect(readdirSync(spareDir)).toEqual([]);
    expect(readFileSync(target, "utf8")).toBe("not ours");
    expect(readFileSync(join(dir, "other-name"), "utf8")).toBe("pane\n");
  });

  it("has nothing to take for a name on another file system (the caller creates it there), and keeps its spare", () => {
    const other = mkdtempSync(join("/dev/shm", "ca-spares-"));
    try {
      spares.give(file("t-1-1.job", "x"));
      expect(spares.take(join(other, "t-1.cast"))).toBeNull();
      expect(readdirSync(other)).toEqual([]);
      expect(spares.size).toBe(1);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("takes a path with nothing there as given already (a dispatch whose .exit was never written)", () => {
    spares.give(join(dir, "t-1-1.exit"));
    expect(spares.size).toBe(0);
  });

  it("keeps at most 32 and deletes the rest", () => {
    for (let i = 0; i < 40; i++) spares.give(file(`t-${i}-1.job`, "x"));
    expect(spares.size).toBe(32);
    expect(readdirSync(dir).filter((name) => name.endsWith(".job"))).toEqual([]);
  });

  it("deletes its spares on close, and deletes what it is given afterwards; close is idempotent", () => {
    spares.give(file("t-1-1.job", "x"));
    spares.close();
    spares.close();
    expect(readdirSync(spareDir)).toEqual([]);
    const late = file("t-2-1.job", "x");
    spares.give(late);
    expect(existsSync(late)).toBe(false);
    expect(readdirSync(spareDir)).toEqual([]);
    expect(spares.take(join(dir, "t-3.cast"))).toBeNull();
  });

  it("deletes the spares an earlier run left behind (a daemon killed before its close) when it starts", () => {
    spares.give(file("t-1-1.job", "x"));
    const again = new SpareFiles(spareDir, { reserve: 0, keep: 32 });
    expect(readdirSync(spareDir)).toEqual([]);
    expect(again.size).toBe(0);
    again.close();
    expect(lstatSync(spareDir).isDirectory()).toBe(true);
  });
});
