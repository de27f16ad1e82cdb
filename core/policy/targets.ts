/**
 * What a path argument could be when the command runs, and whether that is
 * a disaster. A word's dynamic parts are taken at their worst: a variable may
 * be empty (so `"$dir"/` may be `/`) unless written `${dir:?}`; `$HOME` is the
 * home folder; `${x:-/}` may be its default. Unquoted braces are expanded and
 * unquoted glob characters kept as globs, so `/{bin,etc}` and `/b*` count as
 * what they can match, while a quoted `"/*"` is a file named `*`.
 */
import type { Segment, Word } from "./words.js";

/** A value the policy cannot know, standing for "something not empty, without a slash". */
const OPAQUE = "x1";
const GLOB = { "*": "\u0001", "?": "\u0002", "[": "\u0003" } as const;
const GLOB_CHARS = /[\u0001-\u0003]/;
const MAX_CANDIDATES = 32;

/** The values the word may take, worst cases included (at most MAX_CANDIDATES; braces beyond that are not expanded). */
export function candidates(word: Word): string[] {
  let values = [""];
  word.segments.forEach((segment, index) => {
    const options = segmentValues(segment, index === 0);
    const next: string[] = [];
    for (const value of values) for (const option of options) if (next.length < MAX_CANDIDATES) next.push(value + option);
    values = next;
  });
  return values;
}

function segmentValues(segment: Segment, first: boolean): string[] {
  const dynamic = segment.dynamic;
  if (!dynamic) {
    if (segment.quoted) return [first && segment.text.startsWith("~") ? `./${segment.text}` : segment.text];
    return expandBraces(segment.text).map((text) => text.replace(/[*?[]/g, (c) => GLOB[c as keyof typeof GLOB]));
  }
  if (dynamic.kind !== "param") return ["", OPAQUE];
  if (dynamic.name === "HOME") return ["~"];
  const operand = dynamic.operand ? candidates(dynamic.operand) : [""];
  switch (dynamic.op) {
    case ":?":
    case "?":
      return [OPAQUE];
    case ":-":
    case "-":
    case ":=":
    case "=":
      return ["", OPAQUE, ...operand];
    case ":+":
    case "+":
      return ["", ...operand];
    case "length":
      return ["0"];
    default:
      return ["", OPAQUE];
  }
}

/** `a{b,c}d` → abd, acd; nested braces too. A `{` without a comma at its level is text. */
export function expandBraces(text: string): string[] {
  const open = text.indexOf("{");
  // Longer than PATH_MAX, it names no file: not worth expanding (and the recursion stays shallow).
  if (open < 0 || text.length > 4096) return [text];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      if (commas.length === 0) return expandBraces(text.slice(i + 1)).map((rest) => text.slice(0, i + 1) + rest);
      const head = text.slice(0, open);
      const bounds = [open, ...commas, i];
      const out: string[] = [];
      for (let k = 0; k + 1 < bounds.length && out.length < MAX_CANDIDATES; k++) {
        for (const tail of expandBraces(text.slice(bounds[k]! + 1, bounds[k + 1]!) + text.slice(i + 1))) out.push(head + tail);
      }
      return out.slice(0, MAX_CANDIDATES);
    } else if (c === "," && depth === 1) commas.push(i);
  }
  return [text];
}

const SYSTEM_DIRS = new Set(["bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "opt", "root", "sbin", "srv", "usr", "var"]);
const USR_DIRS = new Set(["bin", "include", "lib", "lib32", "lib64", "libexec", "local", "sbin", "share"]);

/** `/`, the home folder, a system folder, or a glob that can match one of them. */
export function isDangerousPath(value: string): boolean {
  const path = normalizePath(value);
  if (path === null) return false;
  const [root, ...rest] = path;
  if (root === "~" || (root?.startsWith("~") && rest.length === 0)) return rest.length === 0 || (rest.length === 1 && GLOB_CHARS.test(rest[0]!));
  if (root !== "/") return false;
  if (rest.length === 0) return true;
  const [top, second, ...deeper] = rest as [string, ...string[]];
  if (GLOB_CHARS.test(top)) return true;
  if (!SYSTEM_DIRS.has(top)) return false;
  if (second === undefined) return true;
  if (deeper.length > 0) return false;
  return GLOB_CHARS.test(second) || (top === "usr" && USR_DIRS.has(second));
}

/** Path segments with `.`, `..` and repeated slashes resolved; the first is `/`, `~`/`~user`, or null for a relative path. */
function normalizePath(value: string): string[] | null {
  if (!value.startsWith("/") && !value.startsWith("~")) return null;
  const slash = value.indexOf("/");
  const root = value.startsWith("/") ? "/" : value.slice(0, slash < 0 ? undefined : slash);
  const segments: string[] = [];
  for (const part of (slash < 0 ? "" : value.slice(slash)).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") segments.pop();
    else segments.push(part);
  }
  return [root, ...segments];
}

const DISK =
  /^\/dev\/(?:(?:sd|hd|vd|xvd)[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?|disk\d+(?:s\d+)?|md\d+|dm-\d+|loop\d+|mapper\/[^/]+|disk\/by-[a-z]+\/[^/]+)$/;

/** A block device: a whole disk, a partition, a RAID or device-mapper volume. */
export function isDisk(value: string): boolean {
  if (value.length > 256 || !value.includes("dev")) return false;
  const path = normalizePath(value);
  return path !== null && path[0] === "/" && DISK.test(`/${path.slice(1).join("/")}`.replace(/[\u0001-\u0003]/g, "x1"));
}
