import { describe, expect, it } from "vitest";
import { fitLines, panelTitle, scrollHint } from "./panel-text.js";
import { stripTags, textWidth } from "./text.js";

describe("panel titles", () => {
  it("keep the whole title and the switching hint when there is room", () => {
    expect(panelTitle(["throughput", "now 4/min", "60m 5 done, 2 failed"], 80, "Tab: workflows")).toBe(
      " throughput · now 4/min · 60m 5 done, 2 failed · Tab: workflows ",
    );
  });

  it("drop details from the end, then the hint, and cut the name only when it alone does not fit", () => {
    const parts = ["throughput", "now 4/min", "60m 5 done, 2 failed"];
    expect(panelTitle(parts, 48)).toBe(" throughput · now 4/min ");
    expect(panelTitle(parts, 40, "Tab: workflows")).toBe(" throughput · Tab: workflows ");
    expect(panelTitle(parts, 20, "Tab: workflows")).toBe(" throughput ");
    expect(panelTitle(parts, 12)).toBe(" throu… ");
    expect(panelTitle(parts, 6)).toBe("");
  });

  it("never reach the panel's corners, at any width", () => {
    const parts = ["agents", "64 sessions", "3 busy", 'filter "{red-fg}x"'];
    for (let width = 0; width <= 90; width++) {
      const title = panelTitle(parts, width, "↓ 40 more");
      expect(textWidth(stripTags(title))).toBeLessThanOrEqual(Math.max(0, width - 4));
    }
    // Someone else's text (a filter) cannot become a tag.
    expect(panelTitle(parts, 90, "↓ 40 more")).toContain("{open}red-fg{close}");
  });
});

describe("lists that do not fit", () => {
  it("end with how many more there are", () => {
    expect(fitLines(["a", "b", "c"], 3)).toEqual(["a", "b", "c"]);
    expect(fitLines(["a", "b", "c", "d", "e"], 3).map(stripTags)).toEqual(["a", "b", "↓ 3 more"]);
    expect(fitLines(["a", "b"], 0)).toEqual([]);
  });

  it("say in a scrolled list's title what lies above and below", () => {
    expect(scrollHint(6, 0, 6)).toBe("");
    expect(scrollHint(8, 0, 6)).toBe("↓ 2 more");
    expect(scrollHint(8, 2, 6)).toBe("↑ 2 more");
    expect(scrollHint(64, 10, 6)).toBe("↑ 10 ↓ 48");
  });
});
