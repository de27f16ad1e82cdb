/**
 * A small SVG bar chart: one bar per bucket, stacked series, the largest
 * value written at the top left and every bar's numbers in its tooltip, so
 * that nothing is said by colour or height alone.
 */
import { h, type ComponentChild } from "preact";

export interface Series {
  readonly name: string;
  readonly class: string;
  readonly values: readonly number[];
}

const WIDTH = 720;
const HEIGHT = 120;
const TOP = 14;

export function BarChart(props: { label: string; unit: string; labels: readonly string[]; series: readonly Series[] }): ComponentChild {
  const count = props.labels.length;
  const totals = props.labels.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = count === 0 ? WIDTH : WIDTH / count;
  const bar = Math.max(1, slot - 2);
  const scale = (HEIGHT - TOP) / max;
  return h(
    "svg",
    { class: "bar-chart", width: WIDTH, height: HEIGHT + 16, viewBox: `0 0 ${WIDTH} ${HEIGHT + 16}`, role: "img", "aria-label": props.label },
    h("text", { x: 2, y: 10, class: "axis" }, `${formatValue(max)} ${props.unit}`),
    h("line", { x1: 0, x2: WIDTH, y1: HEIGHT, y2: HEIGHT, class: "baseline" }),
    props.labels.map((label, i) => {
      let y = HEIGHT;
      const parts = props.series.map((s) => {
        const value = s.values[i] ?? 0;
        const height = value * scale;
        y -= height;
        return value > 0 ? h("rect", { key: s.name, x: i * slot + 1, y, width: bar, height, class: s.class }) : null;
      });
      const tip = `${label}: ${props.series.map((s) => `${s.name} ${formatValue(s.values[i] ?? 0)}`).join(", ")}`;
      return h(
        "g",
        { key: label, "data-bar": label },
        h("title", null, tip),
        h("rect", { x: i * slot, y: 0, width: slot, height: HEIGHT, class: "hit" }),
        parts,
      );
    }),
    count > 0
      ? [
          h("text", { x: 2, y: HEIGHT + 13, class: "axis" }, props.labels[0]),
          h("text", { x: WIDTH - 2, y: HEIGHT + 13, class: "axis end" }, props.labels[count - 1]),
        ]
      : null,
  );
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
