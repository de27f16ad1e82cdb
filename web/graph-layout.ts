/**
 * Where each step of a workflow's DAG goes in a picture: steps in columns by
 * depth (a step sits one column right of its deepest dependency, so every
 * edge points right), each column ordered by where its steps' dependencies
 * sit (fewer crossings than file order alone), and every edge as a curve
 * from a dependency's right side to its dependent's left side. Pure: the
 * SVG is drawn by views/workflow-graph.ts.
 */

export interface LayoutInput {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

export interface PlacedNode {
  readonly id: string;
  readonly column: number;
  readonly row: number;
  readonly x: number;
  readonly y: number;
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  /** An SVG path (`M … C …`). */
  readonly path: string;
}

export interface Layout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 196;
export const NODE_HEIGHT = 52;
const GAP_X = 56;
const GAP_Y = 18;
const MARGIN = 8;

/** Steps in file order; a dependency on a step not in the list is ignored (the workflow validated, so there is none). */
export function layoutGraph(steps: readonly LayoutInput[]): Layout {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const columnOf = columns(steps, byId);
  const byColumn: LayoutInput[][] = [];
  for (const step of steps) (byColumn[columnOf.get(step.id) ?? 0] ??= []).push(step);
  const rowOf = new Map<string, number>();
  for (const column of byColumn) {
    if (!column) continue;
    // The mean row of a step's dependencies (a step without any keeps its file position): stable, so ties stay in file order.
    const weight = (step: LayoutInput, index: number): number => {
      const rows = step.dependsOn.map((dep) => rowOf.get(dep)).filter((row): row is number => row !== undefined);
      return rows.length === 0 ? index : rows.reduce((sum, row) => sum + row, 0) / rows.length;
    };
    const ordered = column.map((step, index) => ({ step, weight: weight(step, index), index })).sort((a, b) => a.weight - b.weight || a.index - b.index);
    ordered.forEach(({ step }, row) => rowOf.set(step.id, row));
  }
  const nodes = steps.map((step) => {
    const column = columnOf.get(step.id) ?? 0;
    const row = rowOf.get(step.id) ?? 0;
    return { id: step.id, column, row, x: MARGIN + column * (NODE_WIDTH + GAP_X), y: MARGIN + row * (NODE_HEIGHT + GAP_Y) };
  });
  const placed = new Map(nodes.map((node) => [node.id, node]));
  const edges: PlacedEdge[] = [];
  for (const step of steps) {
    const to = placed.get(step.id);
    for (const dep of step.dependsOn) {
      const from = placed.get(dep);
      if (!from || !to) continue;
      const x1 = from.x + NODE_WIDTH;
      const y1 = from.y + NODE_HEIGHT / 2;
      const x2 = to.x;
      const y2 = to.y + NODE_HEIGHT / 2;
      const bend = (x2 - x1) / 2;
      edges.push({ from: dep, to: step.id, path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
    }
  }
  const columnsUsed = byColumn.length;
  const rowsUsed = Math.max(0, ...byColumn.map((column) => column?.length ?? 0));
  return {
    nodes,
    edges,
    width: columnsUsed === 0 ? 0 : 2 * MARGIN + columnsUsed * NODE_WIDTH + (columnsUsed - 1) * GAP_X,
    height: rowsUsed === 0 ? 0 : 2 * MARGIN + rowsUsed * NODE_HEIGHT + (rowsUsed - 1) * GAP_Y,
  };
}

/** Each step's column: 0 without dependencies, else one more than its deepest dependency's. A cycle (never valid) is cut where it closes. */
function columns(steps: readonly LayoutInput[], byId: ReadonlyMap<string, LayoutInput>): Map<string, number> {
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (step: LayoutInput): number => {
    const known = column.get(step.id);
    if (known !== undefined) return known;
    if (visiting.has(step.id)) return -1;
    visiting.add(step.id);
    let deepest = -1;
    for (const dep of step.dependsOn) {
      const parent = byId.get(dep);
      if (parent) deepest = Math.max(deepest, visit(parent));
    }
    visiting.delete(step.id);
    column.set(step.id, deepest + 1);
    return deepest + 1;
  };
  for (const step of steps) visit(step);
  return column;
}
