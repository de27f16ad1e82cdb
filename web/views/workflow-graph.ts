/**
 * An execution's DAG as SVG: one box per step with its id, its state in
 * words (colour never carries it alone) and how long it ran, and an arrow
 * from each dependency. Step ids and states are text nodes; clicking a step
 * selects it.
 */
import { h, type ComponentChild } from "preact";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "../graph-layout.js";
import type { ExecutionView } from "../types.js";
import { ago } from "./format.js";

/** Characters of 12px monospace that fit a box's line; the whole id and state are the box's tooltip. */
const ID_CHARS = 24;
const LINE_CHARS = 24;

export function WorkflowGraph(props: { run: ExecutionView; now: number; selected: string | null; onSelect: (step: string) => void }): ComponentChild {
  const { run } = props;
  const layout = layoutGraph(run.definition.graph);
  const kinds = new Map(run.definition.graph.map((node) => [node.id, node.kind]));
  return h(
    "div",
    { class: "graph-scroll" },
    h(
      "svg",
      {
        class: "workflow-graph",
        width: layout.width,
        height: layout.height,
        viewBox: `0 0 ${layout.width} ${layout.height}`,
        role: "img",
        "aria-label": `steps of ${run.workflow} and what each waits for`,
      },
      h(
        "defs",
        null,
        h(
          "marker",
          { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
          h("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }),
        ),
      ),
      layout.edges.map((edge) => h("path", { key: `${edge.from}>${edge.to}`, d: edge.path, class: "edge", "marker-end": "url(#arrow)" })),
      layout.nodes.map((node) => {
        const step = run.steps[node.id];
        const status = step?.status ?? "pending";
        const kind = kinds.get(node.id) ?? "task";
        const label = node.id.length > ID_CHARS ? `${node.id.slice(0, ID_CHARS - 1)}…` : node.id;
        return h(
          "g",
          {
            key: node.id,
            class: `node step-${status}${props.selected === node.id ? " selected" : ""}`,
            transform: `translate(${node.x} ${node.y})`,
            "data-step": node.id,
            "data-status": status,
            tabIndex: 0,
            role: "button",
            "aria-label": `step ${node.id}: ${status}`,
            onClick: () => props.onSelect(node.id),
            onKeyDown: (e: KeyboardEvent) => (e.key === "Enter" || e.key === " ") && props.onSelect(node.id),
          },
          h("title", null, `${node.id} (${kind}): ${status}`),
          h("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
          h("text", { x: 10, y: 20, class: "node-id" }, label),
          h("text", { x: 10, y: 40, class: "node-state" }, stateLine(kind, status, step?.startedAt ?? null, step?.finishedAt ?? null, props.now)),
        );
      }),
    ),
  );
}

function stateLine(kind: string, status: string, startedAt: string | null, finishedAt: string | null, now: number): string {
  const words = status === "waiting-approval" ? "awaits approval" : status === "waiting-input" ? "awaits input" : status;
  // A step that has not started says what kind it is (an approval or input step is not an agent's task); the others say how long.
  if (!startedAt) return fit(kind === "task" ? words : `${kind} · ${words}`);
  const ms = (finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt);
  return fit(Number.isNaN(ms) ? words : `${words} · ${ago(ms)}`);
}

function fit(text: string): string {
  return text.length > LINE_CHARS ? `${text.slice(0, LINE_CHARS - 1)}…` : text;
}
