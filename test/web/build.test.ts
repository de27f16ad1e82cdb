/** The built page (dist/web): content-hashed names, the first-load budget, xterm.js out of the first load. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt } from "./support.js";

const DIR = resolve(import.meta.dirname, "../../dist/web");

describe("the built web dashboard", () => {
  beforeAll(() => ensureWebBuilt(), 120_000);

  it("names only content-hashed assets from index.html, and loads nothing from elsewhere", () => {
    const html = readFileSync(join(DIR, "index.html"), "utf8");
    const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(named.length).toBe(2);
    const assets = readdirSync(join(DIR, "assets"));
    for (const path of named) {
      expect(path).toMatch(/^\/assets\/app-[A-Z0-9]{8}\.(js|css)$/);
      expect(assets).toContain(path.slice("/assets/".length));
    }
  });

  it("keeps the first load within 300 KB gzipped, with xterm.js in a chunk of its own", () => {
    const sizes = JSON.parse(readFileSync(join(DIR, "sizes.json"), "utf8")) as { firstLoadGzip: number; firstLoad: string[]; later: { file: string }[] };
    expect(sizes.firstLoadGzip).toBeLessThan(300 * 1024);
    expect(sizes.later.some((chunk) => chunk.file.startsWith("xterm-socket-"))).toBe(true);
    const entry = readFileSync(join(DIR, "assets", sizes.firstLoad.find((f) => f.endsWith(".js"))!), "utf8");
    expect(entry).not.toContain("xterm-helper-textarea");
  });
});
