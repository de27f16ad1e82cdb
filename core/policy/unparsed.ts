/**
 * Text the parser could not read. bash runs the commands before a syntax
 * error and reports the error itself, so a task with one is not refused for
 * it: the commands the parser recovered are checked like any others, and a
 * word in the unreadable part that names a destructive program is refused,
 * since the policy cannot tell whether bash would run it.
 */
import { basename } from "./invocation.js";
import type { Violation } from "./rules.js";
import type { Script } from "./script.js";
import { staticValue } from "./words.js";

const DESTRUCTIVE = /^(?:rm|dd|shred|wipefs|blkdiscard|chmod|chown|chgrp|eval|mkfs(?:\..+)?|mke2fs|mkswap)$/;

export function unparsedDanger(script: Script): Violation | null {
  for (const word of script.strays) {
    const value = staticValue(word);
    if (value === null || !DESTRUCTIVE.test(basename(value))) continue;
    const error = script.errors.find((e) => e.start <= word.start && word.end <= e.end) ?? script.errors[0];
    const where = error ? ` (line ${error.line}, column ${error.column})` : "";
    return { rule: "unparsed", detail: `${JSON.stringify(value)} stands in text the policy could not parse${where}` };
  }
  return null;
}
