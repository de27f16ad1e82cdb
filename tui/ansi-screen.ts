/**
 * Pure helpers that fit a `capture-pane -e` rendering into a smaller box:
 * keep its colours (SGR sequences), drop every other escape, crop each line
 * to the box's width and pick the rows worth showing.
 */

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]/y;
// eslint-disable-next-line no-control-regex
const SGR = /^\x1b\[([0-9;:]*)m$/;

/** Terminal columns a code point takes: 2 for wide East Asian and emoji, 0 for combining marks. */
export function charWidth(codePoint: number): number {
  if (codePoint < 0x300) return 1;
  if ((codePoint >= 0x300 && codePoint <= 0x36f) || (codePoint >= 0x200b && codePoint <= 0x200f) || codePoint === 0xfe0f) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * Rewrites one SGR parameter list into what blessed understands: truecolour
 * (`38;2;r;g;b`, also colon-separated) becomes the nearest xterm-256 colour.
 */
export function normalizeSgr(params: string): string {
  const parts = params.replace(/:/g, ";").split(";");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ((p === "38" || p === "48") && parts[i + 1] === "2" && i + 4 < parts.length) {
      const [r, g, b] = [parts[i + 2], parts[i + 3], parts[i + 4]].map((v) => Number(v) || 0) as [number, number, number];
      out.push(p, "5", String(nearest256(r, g, b)));
      i += 4;
    } else if ((p === "38" || p === "48") && parts[i + 1] === "5") {
      out.push(p, "5", parts[i + 2] ?? "0");
      i += 2;
    } else if (p === "58") {
      // Underline colour: blessed does not know it; skip its arguments too.
      i += parts[i + 1] === "2" ? 4 : 2;
    } else {
      out.push(p === "" ? "0" : p);
    }
  }
  return out.join(";");
}

function nearest256(r: number, g: number, b: number): number {
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)));
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}

/** Crops one line to `width` columns, keeping SGR sequences and dropping any other escape. */
export function cropLine(line: string, width: number): string {
  let out = "";
  let columns = 0;
  let styled = false;
  let i = 0;
  while (i < line.length) {
    if (line.charCodeAt(i) === 0x1b) {
      ESCAPE.lastIndex = i;
      const match = ESCAPE.exec(line);
      if (!match) {
        i++;
        continue;
      }
      const sgr = SGR.exec(match[0]);
      if (sgr) {
        out += `\x1b[${normalizeSgr(sgr[1] ?? "")}m`;
        styled = true;
      }
      i += match[0].length;
      continue;
    }
    const codePoint = line.codePointAt(i)!;
    const size = codePoint > 0xffff ? 2 : 1;
    if (isControl(codePoint)) {
      i += size;
      continue;
    }
    const w = charWidth(codePoint);
    if (columns + w > width) break;
    out += line.slice(i, i + size);
    columns += w;
    i += size;
  }
  return styled ? `${out}\x1b[0m` : out;
}

/** C0, DEL, C1 and the bidirectional overrides: never shown (core/ansi.ts drops the same set from text). */
function isControl(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x61c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** True when a line shows nothing but blanks (escapes ignored). */
export function isBlank(line: string): boolean {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;:]*m/g, "").trim() === "";
}

/**
 * Fits a captured screen into `width` × `height`: the rows that end at its
 * last non-blank row (where a shell's prompt or an agent's latest output is),
 * each cropped to the width.
 */
export function fitScreen(capture: string, width: number, height: number): string[] {
  if (width <= 0 || height <= 0) return [];
  const lines = capture.split("\n");
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  const start = Math.max(0, end - height);
  return lines.slice(start, end).map((line) => cropLine(line, width));
}
