import { terminalLine, terminalText } from "../../core/index.js";
import { charWidth } from "../ansi-screen.js";

/**
 * Makes someone else's text safe in a tagged blessed element: no control
 * character (core/ansi.ts `terminalText`) and no `{tag}` of blessed's markup.
 */
export function escapeTags(text: string): string {
  return terminalText(text).replace(/[{}]/g, (brace) => (brace === "{" ? "{open}" : "{close}"));
}

export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

/** Cuts `text` to `width` columns (ending in … when cut) and pads it with spaces to exactly that width. */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  const flat = terminalLine(text);
  let out = "";
  let used = 0;
  if (textWidth(flat) > width) {
    for (const ch of flat) {
      const w = charWidth(ch.codePointAt(0)!);
      if (used + w > width - 1) break;
      out += ch;
      used += w;
    }
    out += "…";
    used += 1;
  } else {
    out = flat;
    used = textWidth(flat);
  }
  const padding = " ".repeat(Math.max(0, width - used));
  return align === "left" ? out + padding : padding + out;
}

/** `fit`, escaped, optionally coloured with a blessed tag. */
export function cell(text: string, width: number, color?: string, align: "left" | "right" = "left"): string {
  const body = escapeTags(fit(text, width, align));
  return color ? `{${color}-fg}${body}{/${color}-fg}` : body;
}

/**
 * A short duration whose text changes at most once a minute after the first
 * minute: with 64 sessions, an uptime ticking every second would redraw
 * every row every second.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** Removes blessed tags, turning `{open}`/`{close}` back into braces. */
export function stripTags(text: string): string {
  return text.replace(/\{(\/?)([a-z0-9-]+)\}/g, (_, _slash: string, name: string) => (name === "open" ? "{" : name === "close" ? "}" : ""));
}
