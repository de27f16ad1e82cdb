import { describe, expect, it } from "vitest";
import { layoutGraph, NODE_WIDTH } from "../../web/graph-layout.js";

const at = (layout: ReturnType<typeof layoutGraph>, id: string) => {
  const node = layout.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
};

describe("the workflow graph's layout", () => {
  it("puts each step one column right of its deepest dependency, so every edge points right", () => {
    const layout = layoutGraph([
      { id: "test", dependsOn: [] },
      { id: "build", dependsOn: ["test"] },
      { id: "lint", dependsOn: [] },
      { id: "deploy", dependsOn: ["build", "lint"] },
    ]);
    expect(["test", "build", "lint", "deploy"].map((id) => at(layout, id).column)).toEqual([0, 1, 0, 2]);
    for (const edge of layout.edges) expect(at(layout, edge.to).x).toBeGreaterThan(at(layout, edge.from).x + NODE_WIDTH);
    expect(layout.edges.map((e) => `${e.from}>${e.to}`)).toEqual(["test>build", "build>deploy", "lint>deploy"]);
  });

  it("orders a column by where its steps' dependencies sit, not by file order alone", () => {
    // File order puts b's child first, but a's child belongs beside a (row 0).
    const layout = layoutGraph([
      { id: "a", dependsOn: [] },
      { id: "b", dependsOn: [] },
      { id: "after-b", dependsOn: ["b"] },
      { id: "after-a", dependsOn: ["a"] },
    ]);
    expect(at(layout, "after-a").row).toBe(0);
    expect(at(layout, "after-b").row).toBe(1);
  });

  it("fits the picture to its widest column and its deepest chain, and draws an empty workflow as nothing", () => {
    const fan = layoutGraph([{ id: "root", dependsOn: [] }, ...["x", "y", "z"].map((id) => ({ id, dependsOn: ["root"] }))]);
    const rows = Math.max(...fan.nodes.map((n) => n.row)) + 1;
    expect(rows).toBe(3);
    expect(fan.height).toBeGreaterThan(Math.max(...fan.nodes.map((n) => n.y)));
    expect(fan.width).toBeGreaterThan(Math.max(...fan.nodes.map((n) => n.x)) + NODE_WIDTH - 1);
    expect(layoutGraph([])).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
  });

  it("survives a cycle (never valid) and a dependency on an unknown step without looping", () => {
    const layout = layoutGraph([
      { id: "a", dependsOn: ["b"] },
      { id: "b", dependsOn: ["a", "ghost"] },
    ]);
    expect(layout.nodes).toHaveLength(2);
    expect(layout.edges.every((e) => e.from !== "ghost")).toBe(true);
  });
});
