/**
 * An agent's own `policy: { deny, ask, allow }` patterns from swarm.yaml. They
 * are matched against each simple command of the task in a normalised form:
 * the program without its folder, every word after quote removal, joined by
 * one space (a word with spaces or quotes in it is shown single-quoted), so
 * `g''it   "push"` reads `git push`. A deny or ask pattern may match anywhere
 * in a command; an allow pattern must match a whole command (it is anchored),
 * and every command of the task must match one (or an ask pattern).
 * Precedence: deny > ask > allow.
 */
import { basename } from "./invocation.js";
import type { SimpleCommand } from "./script.js";
import { staticValue, textOf, type Word } from "./words.js";

export interface PolicyConfig {
  readonly deny?: readonly string[];
  /** Commands that wait for a person's approval (an inbox item) before they run. */
  readonly ask?: readonly string[];
  readonly allow?: readonly string[];
}

export interface PolicyRule {
  /** `deny[0] git\s+push`: the list, the index and the pattern as written. */
  readonly name: string;
  /** The pattern as written in swarm.yaml. */
  readonly source: string;
  /** What is matched: the pattern as written for deny and ask, anchored at both ends for allow. */
  readonly pattern: RegExp;
}

export interface CompiledPolicy {
  readonly deny: readonly PolicyRule[];
  readonly ask: readonly PolicyRule[];
  readonly allow: readonly PolicyRule[];
}

/** Compiles an agent's patterns (a SyntaxError for one that is not a regular expression; swarm.yaml's loader checks them first). */
export function compilePolicy(config: PolicyConfig = {}): CompiledPolicy {
  return {
    deny: (config.deny ?? []).map((source, i) => ({ name: `deny[${i}] ${source}`, source, pattern: new RegExp(source) })),
    ask: (config.ask ?? []).map((source, i) => ({ name: `ask[${i}] ${source}`, source, pattern: new RegExp(source) })),
    allow: (config.allow ?? []).map((source, i) => ({ name: `allow[${i}] ${source}`, source, pattern: new RegExp(`^(?:${source})$`) })),
  };
}

/** The command as the patterns see it. */
export function commandText(command: SimpleCommand): string {
  return [...command.assignments.map(textOf), ...command.words.map((word, i) => (i === 0 ? programText(word) : textOf(word)))].map(shown).join(" ");
}

/** An inner command of wrappers (`sudo git push` → `git push`), so deny patterns see it too. */
export function wordsText(name: Word, args: readonly Word[]): string {
  return [programText(name), ...args.map(textOf)].map(shown).join(" ");
}

function programText(word: Word): string {
  const value = staticValue(word);
  return value === null ? textOf(word) : basename(value);
}

function shown(text: string): string {
  return text === "" || /[\s'"\\]/.test(text) ? `'${text.replace(/'/g, "'\\''")}'` : text;
}
