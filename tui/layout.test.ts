import { describe, expect, it } from "vitest";
import { computeGeometry, split, type Rect } from "./layout.js";

const PANELS = ["agents", "pane", "queues", "chart", "workflows", "events", "status"] as const;

function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

describe("computeGeometry", () => {
  for (const [cols, rows] of [
    [160, 48],
    [120, 40],
    [100, 30],
    [99, 30],
    [80, 24],
    [200, 60],
  ] as const) {
    it(`tiles a ${cols}×${rows} terminal exactly, without overlaps`, () => {
      const g = computeGeometry(cols, rows);
      const rects = PANELS.map((name) => g[name]);
      for (const r of rects) {
        expect(r.left).toBeGreaterThanOrEqual(0);
        expect(r.top).toBeGreaterThanOrEqual(0);
        expect(r.left + r.width).toBeLessThanOrEqual(cols);
        expect(r.top + r.height).toBeLessThanOrEqual(rows);
        expect(r.height).toBeGreaterThanOrEqual(1);
      }
      for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) expect(overlaps(rects[i]!, rects[j]!)).toBe(false);
      expect(rects.reduce((sum, r) => sum + r.width * r.height, 0)).toBe(cols * rows);
      expect(g.status).toEqual({ left: 0, top: rows - 1, width: cols, height: 1 });
    });
  }

  it("uses two columns from 100 columns on, one below", () => {
    expect(computeGeometry(100, 30).queues.left).toBeGreaterThan(0);
    expect(computeGeometry(99, 30).queues.left).toBe(0);
  });
});

describe("split", () => {
  it("sums to the total and respects the minimum", () => {
    for (const total of [7, 23, 47, 100]) {
      const sizes = split(total, [42, 58]);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      for (const size of sizes) expect(size).toBeGreaterThanOrEqual(3);
    }
    expect(split(47, [24, 22, 20, 34]).reduce((a, b) => a + b, 0)).toBe(47);
  });
});
