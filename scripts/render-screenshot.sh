#!/usr/bin/env bash
# Renders a terminal screenshot (the output of `tmux capture-pane -p -e`, colours
# included) to a PNG: the ANSI text becomes an SVG of monospace text, which
# rsvg-convert rasterizes. A documentation artefact only; no test needs it.
#
#   scripts/render-screenshot.sh docs/tui-dashboard.ansi docs/tui-dashboard.png
#
# Needs node, rsvg-convert (Debian: apt-get install -y librsvg2-bin) and a
# monospace font with box-drawing glyphs (DejaVu Sans Mono: fonts-dejavu-core).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 CAPTURE.ansi OUTPUT.png" >&2
  exit 2
fi
input=$1
output=$2
if ! command -v rsvg-convert >/dev/null; then
  echo "error: rsvg-convert is missing" >&2
  echo "hint: sudo apt-get install -y librsvg2-bin fonts-dejavu-core" >&2
  exit 4
fi

svg=$(mktemp --suffix=.svg)
trap 'rm -f "$svg"' EXIT

node --input-type=module - "$input" "$svg" <<'JS'
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
const FONT = 15;
const CELL_W = 9.03; // DejaVu Sans Mono advance at 15 px (0.602 em)
const CELL_H = 19;
const PAD = 12;
const BASE = ["#1d1f21", "#cc6666", "#8fbc6b", "#e0c060", "#6b9fd6", "#b294bb", "#6fc2c2", "#c5c8c6"];
const BRIGHT = ["#6a6d70", "#ff7b7b", "#b5e07f", "#ffe080", "#8fbfff", "#d7aee0", "#8ee6e6", "#ffffff"];
const DEFAULT_FG = "#d0d3d1";
const DEFAULT_BG = "#1d1f21";

function color256(n) {
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return rgb(v[Math.floor(i / 36)], v[Math.floor(i / 6) % 6], v[i % 6]);
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}
const rgb = (r, g, b) => `#${[r, g, b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;

function applySgr(style, params) {
  const p = params === "" ? [0] : params.split(/[;:]/).map(Number);
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === 0) Object.assign(style, { fg: null, bg: null, bold: false, reverse: false });
    else if (c === 1) style.bold = true;
    else if (c === 22) style.bold = false;
    else if (c === 7) style.reverse = true;
    else if (c === 27) style.reverse = false;
    else if (c >= 30 && c <= 37) style.fg = BASE[c - 30];
    else if (c >= 90 && c <= 97) style.fg = BRIGHT[c - 90];
    else if (c === 39) style.fg = null;
    else if (c >= 40 && c <= 47) style.bg = BASE[c - 40];
    else if (c >= 100 && c <= 107) style.bg = BRIGHT[c - 100];
    else if (c === 49) style.bg = null;
    else if ((c === 38 || c === 48) && p[i + 1] === 5) {
      style[c === 38 ? "fg" : "bg"] = color256(p[i + 2]);
      i += 2;
    } else if ((c === 38 || c === 48) && p[i + 1] === 2) {
      style[c === 38 ? "fg" : "bg"] = rgb(p[i + 2], p[i + 3], p[i + 4]);
      i += 4;
    }
  }
}

const wide = (cp) => (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x1f300 && cp <= 0x1faff);
// Glyphs DejaVu Sans Mono lacks (Claude Code draws them) are drawn as the nearest one it has: another font's
// fallback glyph would break the grid, and a missing one shows as a box.
const LOOKALIKE = { "\u23bf": "\u2514", "\u23f5": "\u25b8" }; // ⎿ → └, ⏵ → ▸
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const lines = readFileSync(input, "utf8").replace(/\n$/, "").split("\n");
const cols = Math.max(...lines.map((l) => [...l.replace(/\x1b\[[0-9;:]*m/g, "")].length));
const rects = [];
const texts = [];
lines.forEach((line, row) => {
  const style = { fg: null, bg: null, bold: false, reverse: false };
  let col = 0;
  const y = PAD + row * CELL_H;
  for (const token of line.match(/\x1b\[[0-9;:]*m|\x1b[^m]*?[A-Za-z]|[^\x1b]/gu) ?? []) {
    const sgr = /^\x1b\[([0-9;:]*)m$/.exec(token);
    if (sgr) { applySgr(style, sgr[1]); continue; }
    if (token.startsWith("\x1b")) continue;
    const w = wide(token.codePointAt(0)) ? 2 : 1;
    let fg = style.fg ?? DEFAULT_FG;
    let bg = style.bg;
    if (style.reverse) [fg, bg] = [bg ?? DEFAULT_BG, fg];
    const x = PAD + col * CELL_W;
    if (bg) rects.push(`<rect x="${x.toFixed(2)}" y="${y}" width="${(CELL_W * w + 0.6).toFixed(2)}" height="${CELL_H}" fill="${bg}"/>`);
    if (token !== " ") texts.push(`<text x="${x.toFixed(2)}" y="${y + CELL_H - 5}" fill="${fg}"${style.bold ? ' font-weight="bold"' : ""}>${esc(LOOKALIKE[token] ?? token)}</text>`);
    col += w;
  }
});
const width = Math.ceil(PAD * 2 + cols * CELL_W);
const height = PAD * 2 + lines.length * CELL_H;
writeFileSync(output, [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  `<rect width="100%" height="100%" fill="${DEFAULT_BG}" rx="8"/>`,
  ...rects,
  `<g font-family="DejaVu Sans Mono, monospace" font-size="${FONT}" xml:space="preserve">`,
  ...texts,
  "</g></svg>",
].join("\n"));
JS

rsvg-convert --format png --output "$output" "$svg"
echo "wrote $output"
