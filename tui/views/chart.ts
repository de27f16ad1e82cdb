const EIGHTHS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/**
 * A vertical bar chart, one column per value (oldest left), drawn with
 * eighth blocks: `height - 1` rows of bars plus one row of time labels.
 * Returns plain text lines (no tags), each exactly `width` columns, at any
 * size: nothing is ever drawn past the panel's inside (the axis labels on a
 * panel too narrow for them are cut, not spilled over its border).
 */
export function barChart(values: readonly number[], width: number, height: number): string[] {
  if (width <= 0 || height <= 0) return [];
  const rows = Math.max(1, height - 1);
  const max = Math.max(1, ...values);
  const label = String(max).length;
  const bars = values.slice(-Math.max(1, width - label - 1));
  const lines: string[] = [];
  for (let r = rows - 1; r >= 0; r--) {
    const axis = r === rows - 1 ? String(max).padStart(label) : r === 0 ? "0".padStart(label) : " ".repeat(label);
    // Right-aligned, so that the newest minute is always at the right edge.
    let line = `${axis}│${" ".repeat(Math.max(0, width - label - 1 - bars.length))}`;
    for (const value of bars) {
      const total = value > 0 ? Math.max(1, Math.round((value / max) * rows * 8)) : 0;
      const eighths = total - r * 8;
      line += EIGHTHS[Math.max(0, Math.min(8, eighths))];
    }
    lines.push(line.padEnd(width).slice(0, width));
  }
  if (height > 1) {
    const axisWidth = Math.max(0, width - label - 1);
    let axis = "─".repeat(axisWidth);
    if (axisWidth >= 3) axis = `${axis.slice(0, axisWidth - 3)}now`;
    const oldest = `-${bars.length}m`;
    const start = axisWidth - bars.length;
    if (bars.length >= oldest.length + 4) axis = axis.slice(0, start) + oldest + axis.slice(start + oldest.length);
    lines.push(`${" ".repeat(label)}└${axis}`);
  }
  return lines.map((line) => [...line].slice(0, width).join("").padEnd(width));
}
