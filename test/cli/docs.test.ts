/**
 * The documentation as a reader meets it: no page opens with a note to its
 * editors, and every image or page it links to relatively exists (a link is
 * relative to the page's own folder, as GitHub renders it).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
];

describe.each(PAGES)("%s", (page) => {
  const text = readFileSync(join(ROOT, page), "utf8");

  it("opens with a heading, not a note to its editors", () => {
    expect(text.split("\n")[0]).toMatch(/^#{1,2} \S/);
    expect(text).not.toMatch(/the lead merges|Section for the README/i);
  });

  it("links only to files that exist, relative to its own folder", () => {
    const missing = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .filter((target) => !existsSync(join(ROOT, dirname(page), target)));
    expect(missing).toEqual([]);
  });
});
