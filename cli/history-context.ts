/** What the history commands share: opening the home's store, time flags, and text made safe for a terminal. */
import { durationMs, findConfigFile, loadConfig, localActor, stripAnsi, UsageError, type SwarmConfig } from "../core/index.js";
import { History } from "../history/index.js";
import { homeOf, type GlobalOptions } from "./context.js";

/** swarm.yaml of this home or folder when there is a valid one; history commands work without it. */
export function configIfAny(home: string): SwarmConfig | null {
  try {
    return findConfigFile({ cwd: process.cwd(), home }) ? loadConfig({ cwd: process.cwd(), home }) : null;
  } catch {
    return null; // a broken swarm.yaml must not hide the history: the store's location is recorded in the home
  }
}

/** Opens the history of the home, runs `fn`, closes it. Works whether or not the swarm is running. */
export async function withHistory<T>(options: GlobalOptions, fn: (history: History, home: string) => Promise<T>): Promise<T> {
  const home = homeOf(options).root;
  const history = await History.open(home, configIfAny(home));
  try {
    return await fn(history, home);
  } finally {
    await history.close();
  }
}

/** `--since 1d`, `--since 90m`, or a date (`2026-12-01`, ISO 8601): milliseconds since the epoch. */
export function timeFlag(flag: string, value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const ago = durationMs(value);
  if (ago !== null) return now - ago;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isFinite(at)) return at;
  throw new UsageError(`${flag}: expected a duration like 1d, 12h or 90m, or a date like 2026-12-01, got ${JSON.stringify(value)}`);
}

export function limitFlag(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--limit: expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Stored text is what tasks printed: escape sequences and control characters are
 * removed before a terminal sees it (repeatedly: removing one can join the
 * pieces of another), and `oneLine` folds it to a table cell.
 */
export function safeText(text: string): string {
  let out = text;
  for (let i = 0; i < 4; i++) {
    // eslint-disable-next-line no-control-regex
    const next = stripAnsi(out).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "");
    if (next === out) break;
    out = next;
  }
  return out;
}

export function oneLine(text: string, width: number): string {
  const line = safeText(text).replace(/\s+/g, " ").trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

export const actorOfThisUser = localActor;
