import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileLogger } from "./log.js";
import { canMountTmpfs } from "../test/helpers/mount.js";

const events = (file: string): string[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: string }).event);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the JSON-lines file log", () => {
  it("rotates at its size limit and keeps only so many old files, newest lines in the current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-log-"));
    const file = join(dir, "swarm.jsonl");
    const logger = fileLogger(file, "test", undefined, { maxBytes: 2000, keep: 2 });
    for (let i = 0; i < 200; i++) logger.log(`line-${i}`, { filler: "x".repeat(50) });
    await logger.close();
    expect(readdirSync(dir).sort()).toEqual(["swarm.jsonl", "swarm.jsonl.1", "swarm.jsonl.2"]);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThan(2000 + 200);
    const current = events(file);
    expect(current.at(-1)).toBe("line-199");
    // No line lost or repeated across the kept files, in order.
    const all = [...events(`${file}.2`), ...events(`${file}.1`), ...current];
    const first = Number(all[0]!.slice(5));
    expect(all).toEqual(Array.from({ length: 200 - first }, (_, i) => `line-${first + i}`));
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts an existing file's size when it opens, so a restart does not let it grow past the limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-log-"));
    const file = join(dir, "swarm.jsonl");
    writeFileSync(file, `${JSON.stringify({ event: "old" })}\n`.repeat(100));
    const logger = fileLogger(file, "test", undefined, { maxBytes: 1000, keep: 1 });
    logger.log("new");
    await logger.close();
    expect(events(file)).toEqual(["new"]);
    expect(existsSync(`${file}.1`)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!canMountTmpfs())("drops lines while the disk is full, without failing, and resumes with a count of what it dropped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-log-"));
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir]).status).toBe(0);
    try {
      const file = join(dir, "swarm.jsonl");
      const logger = fileLogger(file, "test", undefined, { retryMs: 100 });
      writeFileSync(join(dir, "filler"), Buffer.alloc(12 * 1024));
      for (let i = 0; i < 100; i++) logger.log("while-full", { filler: "y".repeat(100) });
      await sleep(50);
      for (let i = 0; i < 10; i++) logger.log("still-full");
      rmSync(join(dir, "filler"));
      rmSync(file, { force: true });
      await sleep(150);
      logger.log("room-again");
      await logger.close();
      const seen = events(file);
      expect(seen[0]).toBe("log.dropped");
      expect(JSON.parse(readFileSync(file, "utf8").split("\n")[0]!).lines).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe("room-again");
    } finally {
      // Lazily: on a busy CI machine the mount was once still busy here (EBUSY at rmdir) after the logger closed.
      spawnSync("umount", ["-l", dir]);
      rmdirSync(dir);
    }
  });
});
