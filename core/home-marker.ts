import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { SWARM_NAME } from "./config/types.js";
import { LEGACY_PREFIX, swarmPrefix } from "./keys.js";

/**
 * The file that makes a folder a swarm's home. Only a folder that carries it
 * (or that we created, or an empty one we were pointed at) is ever chmodded
 * or filled; it also holds the home's identity.
 */
export const HOME_MARKER = ".claude-agent-home";

export interface HomeMarker {
  /** Random, 128 bits, never shown: names the home's lock (core/home-lock.ts) and derives its default swarm name. */
  readonly id: string;
  /** The swarm name this home gets when swarm.yaml names none, fixed when the marker is made (moving the folder keeps it). */
  readonly name?: string;
  /** A home from before swarms had names: its default prefix stays `ca`, where its tasks are. */
  readonly legacy?: boolean;
  /** The key prefix of the swarm `up` last started here (what clients of this home use). */
  readonly prefix?: string;
}

export function markerPath(root: string): string {
  return join(root, HOME_MARKER);
}

/** The marker's content; null without a marker. A marker without an id (`touch .claude-agent-home`) reads as `{ id: "" }`. */
export function readHomeMarker(root: string): HomeMarker | null {
  let text: string;
  try {
    text = readFileSync(markerPath(root), "utf8");
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<HomeMarker>;
    return {
      id: typeof value.id === "string" && /^[0-9a-f]{32}$/.test(value.id) ? value.id : "",
      ...(typeof value.name === "string" && SWARM_NAME.test(value.name) ? { name: value.name } : {}),
      ...(value.legacy === true ? { legacy: true } : {}),
      ...(typeof value.prefix === "string" && value.prefix !== "" ? { prefix: value.prefix } : {}),
    };
  } catch {
    return { id: "" };
  }
}

/**
 * Gives the home its marker (with a fresh id) unless it has one with an id. Two processes doing this at
 * once agree: the marker is written aside and linked into place, which fails for the second one.
 */
export function ensureMarker(root: string, options: { legacy?: boolean } = {}): HomeMarker {
  const existing = readHomeMarker(root);
  if (existing?.id) return existing;
  const id = randomBytes(16).toString("hex");
  const marker: HomeMarker = { id, name: defaultSwarmName(root, id), ...(options.legacy || existing?.legacy ? { legacy: true } : {}) };
  const temp = `${markerPath(root)}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temp, `${JSON.stringify({ claudeAgentHome: 1, ...marker })}\n`, { mode: 0o600 });
  try {
    if (existing)
      renameSync(temp, markerPath(root)); // an empty marker made by hand: ours replaces it
    else linkSync(temp, markerPath(root));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  const winner = readHomeMarker(root);
  return winner?.id ? winner : marker;
}

/** Records the prefix of the swarm just started here (called by `up` while it holds the home's lock). */
export function recordPrefix(root: string, prefix: string): void {
  const marker = ensureMarker(root);
  const temp = `${markerPath(root)}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ claudeAgentHome: 1, ...marker, prefix })}\n`, { mode: 0o600 });
  renameSync(temp, markerPath(root));
}

/** The swarm name a new home gets for when swarm.yaml names none: its folder's name and 6 characters of its id. */
export function defaultSwarmName(root: string, id: string): string {
  const base = basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
  return `${base || "home"}-${id.slice(0, 6)}`;
}

/** The prefix `up` uses: swarm.yaml's `swarm:`, else the home's default (a legacy home keeps `ca`). */
export function startPrefix(root: string, marker: HomeMarker, configured: string | undefined): string {
  if (configured) return swarmPrefix(configured);
  return marker.legacy ? LEGACY_PREFIX : swarmPrefix(marker.name ?? defaultSwarmName(root, marker.id));
}

/** The prefix clients of this home use: the one its last `up` recorded; a home never started by this version: `ca`. */
export function homePrefix(root: string): string {
  const marker = readHomeMarker(root);
  if (marker?.prefix) return marker.prefix;
  if (!marker?.id || marker.legacy) return LEGACY_PREFIX;
  return swarmPrefix(marker.name ?? defaultSwarmName(root, marker.id));
}
