import { describe, expect, it } from "vitest";
import { ALL_PANELS_MIN_ROWS, computeGeometry, type Geometry, type Rect, split } from "./layout.js";
import { LOWER_PANELS, type LowerPanel, nextPanel, switchHint, toggleTasks } from "./panels.js";

function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

/** The rectangles on screen: agents, pane, status bar and the lower panels that have a place. */
function shown(g: Geometry): [string, Rect][] {
  const lower = LOWER_PANELS.flatMap((name) => (g.panels[name] ? [[name, g.panels[name]] as [string, Rect]] : []));
  return [["agents", g.agents], ["pane", g.pane], ["status", g.status], ...lower];
}

describe("computeGeometry", () => {
  for (const [cols, rows] of [
    [160, 48],
    [120, 40],
    [120, 35],
    [120, 24],
    [100, 30],
    [99, 30],
    [80, 24],
    [80, 35],
    [200, 60],
  ] as const) {
    for (const lower of LOWER_PANELS) {
      it(`tiles a ${cols}×${rows} terminal exactly, without overlaps, showing ${lower}`, () => {
        const g = computeGeometry(cols, rows, lower);
        const rects = shown(g).map(([, r]) => r);
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
        expect(g.panels[lower]).not.toBeNull();
      });
    }
  }

  it("uses two columns from 100 columns on, one below", () => {
    expect(computeGeometry(100, 30).panels.queues!.left).toBeGreaterThan(0);
    expect(computeGeometry(99, 30).panels.events!.left).toBe(0);
  });

  it("gives queues, throughput and workflows a place each on a big terminal, and the last place to events or tasks", () => {
    const events = computeGeometry(120, 35, "events");
    expect(events.tabbed).toBe(false);
    expect(LOWER_PANELS.filter((p) => events.panels[p])).toEqual(["queues", "throughput", "workflows", "events"]);
    const tasks = computeGeometry(120, 35, "tasks");
    expect(LOWER_PANELS.filter((p) => tasks.panels[p])).toEqual(["queues", "throughput", "workflows", "tasks"]);
    expect(tasks.panels.tasks).toEqual(events.panels.events);
    // A panel chosen while they took turns does not take the last place from events.
    expect(LOWER_PANELS.filter((p) => computeGeometry(120, 35, "queues").panels[p])).toEqual(["queues", "throughput", "workflows", "events"]);
  });

  it("shows one lower panel at a time below 100 columns or 30 rows, with room for a few lines in each part", () => {
    for (const [cols, rows] of [
      [80, 24],
      [99, 40],
      [120, ALL_PANELS_MIN_ROWS - 1],
    ] as const) {
      for (const lower of LOWER_PANELS) {
        const g = computeGeometry(cols, rows, lower);
        expect(g.tabbed).toBe(true);
        expect(LOWER_PANELS.filter((p) => g.panels[p])).toEqual([lower]);
      }
    }
    const small = computeGeometry(80, 24, "queues");
    // 80×24: a header and six sessions, four lines of pane, six lines of the lower panel (inside the borders).
    expect([small.agents.height, small.pane.height, small.panels.queues!.height]).toEqual([9, 6, 8]);
  });
});

describe("the lower panels", () => {
  it("take turns in order with Tab when they share one place, and go back with Shift-Tab", () => {
    const seen: LowerPanel[] = ["events"];
    for (let i = 0; i < 5; i++) seen.push(nextPanel(seen.at(-1)!, true));
    expect(seen).toEqual(["events", "tasks", "queues", "throughput", "workflows", "events"]);
    expect(nextPanel("queues", true, -1)).toBe("tasks");
  });

  it("switch events and tasks with Tab on a big terminal, and t toggles the tasks at any size", () => {
    expect(nextPanel("events", false)).toBe("tasks");
    expect(nextPanel("tasks", false)).toBe("events");
    expect(toggleTasks("queues")).toBe("tasks");
    expect(toggleTasks("tasks")).toBe("events");
  });

  it("name in their title the key that brings the next one", () => {
    expect(switchHint("events", true)).toBe("Tab: tasks");
    expect(switchHint("workflows", true)).toBe("Tab: events");
    expect(switchHint("events", false)).toBe("t: tasks");
    expect(switchHint("tasks", false)).toBe("t: events");
    expect(switchHint("queues", false)).toBeUndefined();
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
