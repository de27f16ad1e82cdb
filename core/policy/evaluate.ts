/**
 * One policy check, start to end: parse the task, read its commands, apply
 * the default rules, the agent's deny, ask and allow patterns, and check again
 * any code the task runs as shell code (`bash -c "…"`, `eval`, `sh <<EOF`, …).
 * A refusal anywhere wins over an ask anywhere: a task is asked about only
 * when nothing in it is refused.
 * Runs in a policy worker (checker.ts); everything here is synchronous, linear
 * in the task's size, and checks the deadline as it goes.
 */
import type { ShellParser } from "./parser.js";
import { commandText, wordsText, type CompiledPolicy } from "./patterns.js";
import { checkInvocation, checkRedirects, type Violation } from "./rules.js";
import { readScript, type Script } from "./script.js";
import { analyse, checkForkBombs, checkPipelines, downloadedCode, Downloads, type Analysed } from "./script-rules.js";
import { unparsedDanger } from "./unparsed.js";
import type { Word } from "./words.js";

/**
 * `ask`: a command matched an ask rule and nothing is refused; it may run once a person approves.
 * It is a kind of "not allowed", so a caller that knows nothing of asking refuses it.
 */
export type PolicyVerdict =
  | { allowed: true; ask?: undefined }
  | { allowed: false; rule: string; reason: string; ask?: undefined }
  | { allowed: false; rule: string; reason: string; ask: { readonly command: string } };

/** Code inside code inside code…: deeper than this is refused rather than followed. */
const MAX_DEPTH = 4;
/** A dynamic part of nested code (`bash -c "rm $x"`): parsed as a variable, so it stays unknown. */
const PLACEHOLDER = "${__ca_dynamic}";

class OutOfTime extends Error {}

export function evaluate(text: string, policy: CompiledPolicy, parser: ShellParser, deadline: number): PolicyVerdict {
  if (text.includes("\0")) return refuse("nul-byte", "refused by policy rule nul-byte: the text contains a NUL byte, which bash would silently drop");
  try {
    return new Check(policy, parser, deadline).script(text, 0, "") ?? { allowed: true };
  } catch (error) {
    if (error instanceof OutOfTime)
      return refuse("policy-timeout", "refused by policy: the check did not finish in time (the text is too large or too complex to check)");
    throw error;
  }
}

class Check {
  private steps = 0;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly parser: ShellParser,
    private readonly deadline: number,
  ) {}

  script(text: string, depth: number, via: string): PolicyVerdict | null {
    const tree = this.parser.parse(text, this.deadline);
    if (!tree) throw new OutOfTime();
    let script: Script;
    try {
      script = readScript(tree, text);
    } finally {
      tree.delete();
    }
    const analysed = script.commands.map((command) => (this.tick(), analyse(command)));
    const downloads = new Downloads(analysed);
    const pipelines = checkPipelines(script, downloads);
    const found = this.defaults(analysed, downloads, script) ?? pipelines.violation;
    if (found) return refuse(found.rule, `refused by policy rule ${found.rule}: ${via}${found.detail}`);
    const nested = [...analysed.flatMap(codeOf), ...pipelines.piped];
    let asked: PolicyVerdict | null = null;
    for (const code of nested) {
      if (depth + 1 >= MAX_DEPTH)
        return refuse(
          "nested-code",
          `refused by policy rule nested-code: ${via}${code.via} runs code nested more than ${MAX_DEPTH} levels deep, which is not checked`,
        );
      const verdict = this.script(codeText(code.words), depth + 1, `${via}in ${code.via}: `);
      if (verdict && !verdict.allowed) {
        if (!verdict.ask) return verdict;
        asked ??= verdict;
      }
    }
    return this.denied(analysed, script) ?? this.notAllowed(analysed, script) ?? asked ?? this.asking(analysed, script, via);
  }

  private defaults(analysed: readonly Analysed[], downloads: Downloads, script: Script): Violation | null {
    for (const a of analysed) {
      this.tick();
      // The innermost command first: `$SUDO rm -rf /` is about rm.
      for (const invocation of [...a.chain].reverse()) {
        const found = checkInvocation(invocation);
        if (found) return found;
      }
      const found = checkRedirects(a.command) ?? downloadedCode(a, downloads);
      if (found) return found;
    }
    return checkForkBombs(analysed, script) ?? unparsedDanger(script);
  }

  private denied(analysed: readonly Analysed[], script: Script): PolicyVerdict | null {
    if (this.policy.deny.length === 0) return null;
    for (const { command, chain } of analysed) {
      const texts = [commandText(command), ...chain.slice(1).map((inv) => wordsText(inv.name, inv.args))];
      for (const rule of this.policy.deny) {
        this.tick();
        if (texts.some((text) => rule.pattern.test(text))) return refuse(rule.name, `refused by policy rule ${rule.name}`);
      }
    }
    for (const error of script.errors) {
      const text = script.source.slice(error.start, error.end);
      const rule = this.policy.deny.find((r) => r.pattern.test(text));
      if (rule) return refuse(rule.name, `refused by policy rule ${rule.name}`);
    }
    return null;
  }

  /** The first command an ask rule matches (a wrapped command too: `sudo kubectl …`), as the patterns see it. */
  private asking(analysed: readonly Analysed[], script: Script, via: string): PolicyVerdict | null {
    if (this.policy.ask.length === 0) return null;
    for (const { command, chain } of analysed) {
      const texts = [commandText(command), ...chain.slice(1).map((inv) => wordsText(inv.name, inv.args))];
      for (const rule of this.policy.ask) {
        this.tick();
        if (texts.some((text) => rule.pattern.test(text))) return ask(rule.name, via, texts[0] ?? "");
      }
    }
    for (const error of script.errors) {
      const text = script.source.slice(error.start, error.end);
      const rule = this.policy.ask.find((r) => r.pattern.test(text));
      if (rule) return ask(rule.name, via, text);
    }
    return null;
  }

  /** Whether an ask rule matches the command: it needs a person's approval, not a place on the allow list. */
  private asks(command: Analysed): boolean {
    if (this.policy.ask.length === 0) return false;
    const texts = [commandText(command.command), ...command.chain.slice(1).map((inv) => wordsText(inv.name, inv.args))];
    return this.policy.ask.some((rule) => texts.some((text) => rule.pattern.test(text)));
  }

  private notAllowed(analysed: readonly Analysed[], script: Script): PolicyVerdict | null {
    if (this.policy.allow.length === 0) return null;
    const error = script.errors[0];
    if (error) {
      return refuse(
        "allow-list",
        `refused by policy: the text could not be parsed (line ${error.line}, column ${error.column}), so its commands cannot be matched against the agent's allow patterns`,
      );
    }
    for (const a of analysed) {
      this.tick();
      const text = commandText(a.command);
      if (!this.policy.allow.some((rule) => rule.pattern.test(text)) && !this.asks(a)) {
        return refuse("allow-list", `refused by policy: the command ${JSON.stringify(clip(text))} matches none of the agent's allow patterns`);
      }
    }
    return null;
  }

  private tick(): void {
    if (++this.steps % 128 === 0 && performance.now() > this.deadline) throw new OutOfTime();
  }
}

interface Code {
  readonly via: string;
  readonly words: readonly Word[];
}

/** The code a command runs that is written in it: `bash -c` strings, `eval` arguments, a here-document fed to a shell. */
function codeOf({ command, code }: Analysed): Code[] {
  const out: Code[] = [];
  for (const c of code) {
    if (c.words && c.words.length > 0) out.push({ via: c.via, words: c.words });
    else if (c.readsStdin && command.stdin) out.push({ via: c.via, words: [command.stdin] });
  }
  return out;
}

/** The code's text with what the outer shell computes (`$x`, `$(…)`) left as an unknown variable. */
function codeText(words: readonly Word[]): string {
  return words.map((word) => word.segments.map((s) => (s.dynamic ? PLACEHOLDER : s.text)).join("")).join(" ");
}

function refuse(rule: string, reason: string): PolicyVerdict {
  return { allowed: false, rule, reason };
}

function ask(rule: string, via: string, command: string): PolicyVerdict {
  const shown = clip(command);
  return { allowed: false, rule, reason: `needs a person's approval by policy rule ${rule}: ${via}${shown}`, ask: { command: shown } };
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
