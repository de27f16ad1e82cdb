import { escapeTags, fit, textWidth } from "./text.js";

/**
 * A panel's title, made to fit on its top border: blessed draws a label
 * that is too long on the lines below it, over the panel's own content.
 * `parts` (plain text, the panel's name first) are joined with ` · `; when
 * they do not fit, the last parts go first, then the hint; the name is cut
 * only when it alone does not fit. `width` is the panel's outer width (the
 * title starts after `┌─` and leaves `─┐`). Returns escaped tagged text.
 */
export function panelTitle(parts: readonly string[], width: number, hint?: string): string {
  const room = width - 4;
  if (room < 3 || parts.length === 0) return "";
  const tail = hint ? ` · ${hint}` : "";
  for (const withHint of [true, false]) {
    for (let n = parts.length; n >= 1; n--) {
      const text = ` ${parts.slice(0, n).join(" · ")}${withHint ? tail : ""} `;
      if (textWidth(text) <= room) return escapeTags(text);
    }
  }
  return escapeTags(` ${fit(parts[0]!, room - 2)} `);
}

/**
 * The first `height` of `lines`, the last of them replaced by a gray
 * `↓ N more` when some do not fit: a list never ends without saying so.
 */
export function fitLines(lines: readonly string[], height: number): string[] {
  if (lines.length <= height) return [...lines];
  if (height <= 0) return [];
  const kept = lines.slice(0, height - 1);
  return [...kept, `{gray-fg}↓ ${lines.length - kept.length} more{/gray-fg}`];
}

/** The scroll hint of a list showing `visible` rows from `offset` of `total`: `↑ 2 ↓ 4`, `↓ 4 more`, or "" when all show. */
export function scrollHint(total: number, offset: number, visible: number): string {
  const above = Math.max(0, Math.min(offset, total));
  const below = Math.max(0, total - above - Math.max(0, visible));
  if (above === 0 && below === 0) return "";
  if (above === 0) return `↓ ${below} more`;
  if (below === 0) return `↑ ${above} more`;
  return `↑ ${above} ↓ ${below}`;
}
