/**
 * The releases of each agent program that claude-agent was tested with, as
 * CONFORMANCE.md records them (written by `npm run conformance`), and where a
 * given version stands against them. A pure reading of the file's "supported
 * ranges" table; `doctor`, `up` and `status` say plainly when a program runs
 * a release outside it, since an agent update that silently breaks status
 * detection or delivery is the failure users meet most.
 */
import { readFileSync } from "node:fs";
import semver from "semver";

/** The comment that marks the table (the file is for people; the marker keeps the parse exact). */
export const RANGES_MARKER = "<!-- conformance:ranges -->";

export interface ProgramRange {
  readonly program: string;
  /** The npm package (what an upgrade installs). */
  readonly packageName: string;
  readonly oldest: string;
  readonly newest: string;
  /** Releases that failed part of their suite. */
  readonly failing: readonly string[];
}

export type VersionStanding = "tested" | "within" | "older" | "newer" | "failing" | "unknown";

export interface VersionVerdict {
  readonly standing: VersionStanding;
  /** True when the version is outside what was tested (older, newer, failing). */
  readonly outside: boolean;
  /** One sentence for a person; null when there is nothing to say. */
  readonly message: string | null;
}

/** The ranges table of CONFORMANCE.md's text: `| program | package | oldest passing | newest passing | failing releases |`. */
export function parseRanges(markdown: string): ProgramRange[] {
  const start = markdown.indexOf(RANGES_MARKER);
  if (start < 0) return [];
  // The table: the lines starting with `|` right after the marker (blank lines before it allowed).
  const lines = markdown
    .slice(start + RANGES_MARKER.length)
    .split("\n")
    .map((line) => line.trim());
  const first = lines.findIndex((line) => line !== "");
  const end = lines.findIndex((line, i) => i >= first && !line.startsWith("|"));
  const rows = first < 0 ? [] : lines.slice(first, end < 0 ? lines.length : end);
  const ranges: ProgramRange[] = [];
  for (const row of rows.slice(2)) {
    const cells = row
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => cell.trim().replace(/^`|`$/g, ""));
    const [program, packageName, oldest, newest, failing] = cells;
    if (!program || !packageName || !semver.valid(oldest ?? "") || !semver.valid(newest ?? "")) continue;
    const failed = (failing ?? "").split(/[,\s]+/).filter((v) => semver.valid(v));
    ranges.push({ program, packageName, oldest: oldest!, newest: newest!, failing: failed });
  }
  return ranges;
}

/** The ranges of a CONFORMANCE.md file; none when it is missing or unreadable. */
export function readRanges(file: string): ProgramRange[] {
  try {
    return parseRanges(readFileSync(file, "utf8"));
  } catch {
    return [];
  }
}

/** A version as programs print it: `2.1.332 (Claude Code)`, `codex-cli 0.171.0`, `v0.24.4` → the semver in it. */
export function versionIn(text: string): string | null {
  const match = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(text);
  return match ? semver.valid(match[0]) : null;
}

/** Where `version` of `program` stands against the tested ranges. */
export function classifyVersion(program: string, version: string | null, ranges: readonly ProgramRange[]): VersionVerdict {
  const range = ranges.find((r) => r.program === program);
  if (!range) return { standing: "unknown", outside: false, message: null };
  const v = version ? versionIn(version) : null;
  const tested = `${range.oldest} – ${range.newest}`;
  if (!v)
    return {
      standing: "unknown",
      outside: false,
      message: `${program}: its version could not be read, so it cannot be checked against the tested releases (${tested})`,
    };
  const upgrade = `npm install -g ${range.packageName}@${range.newest}`;
  if (range.failing.includes(v)) {
    return {
      standing: "failing",
      outside: true,
      message: `${program} ${v} failed claude-agent's conformance suite (see CONFORMANCE.md); tested and passing: ${tested}. Fix: ${upgrade}`,
    };
  }
  if (semver.lt(v, range.oldest)) {
    return {
      standing: "older",
      outside: true,
      message: `${program} ${v} is older than any release claude-agent was tested with (${tested}, CONFORMANCE.md): task delivery or status detection may not work. Fix: ${upgrade}`,
    };
  }
  if (semver.gt(v, range.newest)) {
    return {
      standing: "newer",
      outside: true,
      message: `${program} ${v} is newer than any release claude-agent was tested with (${tested}, CONFORMANCE.md): it may work, or may have changed what claude-agent reads. Test it: npm run conformance -- --program ${program} --version ${v} (in claude-agent's checkout), or pin: ${upgrade}`,
    };
  }
  const exact = semver.eq(v, range.oldest) || semver.eq(v, range.newest);
  return { standing: exact ? "tested" : "within", outside: false, message: null };
}
