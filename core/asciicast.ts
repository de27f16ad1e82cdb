import { EnvironmentError } from "./errors.js";

/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON
 * header line, then one JSON array per line, `[seconds, code, data]`: `o`
 * output, `i` input, `m` a marker (its data is a label), `r` a resize
 * (`"WxH"`). The flight recorder writes these files; `replay` and
 * `submit --wait` read them. Output data is the pane's bytes decoded as
 * UTF-8, escape sequences and all: a recording, not a cleaned text.
 */

export interface CastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  /** Unix time of the first event, seconds. */
  readonly timestamp: number;
  readonly title?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export type CastCode = "o" | "i" | "m" | "r";
export type CastEvent = readonly [time: number, code: CastCode, data: string];

export interface Cast {
  readonly header: CastHeader;
  readonly events: CastEvent[];
  /** Lines that are not events (a recording cut off mid-line by a crash, a hand edit); skipped. */
  readonly skipped: number;
}

const CODES = new Set<string>(["o", "i", "m", "r"]);

export function castHeaderLine(header: CastHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/** One event line; times in microseconds' precision, as asciinema writes them. */
export function castEventLine(time: number, code: CastCode, data: string): string {
  return `${JSON.stringify([Math.round(time * 1e6) / 1e6, code, data])}\n`;
}

/** The header, or why the line is not one. */
export function parseCastHeader(line: string): CastHeader | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "its first line is not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "its first line is not an asciicast header";
  const h = value as Record<string, unknown>;
  if (h.version !== 2) return `version ${JSON.stringify(h.version)}: only asciicast v2 is read`;
  if (!isDimension(h.width) || !isDimension(h.height)) return "its header has no valid width and height";
  if (typeof h.timestamp !== "number" || !Number.isFinite(h.timestamp)) return "its header has no timestamp";
  return {
    version: 2,
    width: h.width,
    height: h.height,
    timestamp: h.timestamp,
    ...(typeof h.title === "string" ? { title: h.title } : {}),
  };
}

/** One event line, or null when it is not one. */
export function parseCastEvent(line: string): CastEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 3) return null;
  const [time, code, data] = value as unknown[];
  if (typeof time !== "number" || !Number.isFinite(time) || time < 0 || typeof code !== "string" || !CODES.has(code) || typeof data !== "string") return null;
  return [time, code as CastCode, data];
}

/** A whole recording. `file` names it in the error for a file that is not a recording. */
export function parseCast(text: string, file: string): Cast {
  const lines = text.split("\n");
  const header = parseCastHeader(lines[0] ?? "");
  if (typeof header === "string") throw new EnvironmentError(`${file} is not a recording: ${header}`);
  const events: CastEvent[] = [];
  let skipped = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const event = parseCastEvent(line);
    if (event) events.push(event);
    else skipped++;
  }
  return { header, events, skipped };
}

function isDimension(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 10_000;
}
