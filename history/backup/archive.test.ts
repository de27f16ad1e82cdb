import { describe, expect, it } from "vitest";
import { archiveName } from "./archive.js";
import { decodeRecords, encodeRecords, prefixPattern } from "./redis-snapshot.js";

describe("the backup file", () => {
  it("is .tar.zst with zstd, and says plainly when it falls back to .tar.gz without it", () => {
    expect(archiveName("/b/s.tar.zst", true)).toEqual({ file: "/b/s.tar.zst", compression: "zstd", note: null });
    const fallback = archiveName("/b/s.tar.zst", false);
    expect(fallback).toMatchObject({ file: "/b/s.tar.gz", compression: "gzip" });
    expect(fallback.note).toMatch(/zstd is not installed.*\/b\/s\.tar\.gz/);
    expect(() => archiveName("/b/s.zip", true)).toThrow(/FILE\.tar\.zst/);
  });

  it("keeps Redis records byte for byte, and refuses a truncated snapshot", () => {
    const records = [
      { key: Buffer.from("ca:task:x"), pttl: -1, dump: Buffer.from([0, 1, 2, 255]) },
      { key: Buffer.from("ca:idem:k"), pttl: 604_800_000, dump: Buffer.alloc(70_000, 7) },
    ];
    const encoded = encodeRecords(records);
    expect(decodeRecords(encoded)).toEqual(records);
    expect(() => decodeRecords(encoded.subarray(0, encoded.length - 1))).toThrow(/truncated/);
  });

  it("matches only the swarm's own keys, its prefix's glob characters escaped", () => {
    expect(prefixPattern("ca")).toBe("ca:*");
    expect(prefixPattern("a*b[1]")).toBe("a\\*b\\[1\\]:*");
  });
});
