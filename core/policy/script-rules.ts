/**
 * Default rules that look across commands: a download feeding a shell
 * (`curl … | sh`, `bash <(curl …)`, `sh -c "$(wget -O- …)"`), a fork bomb (a
 * function that runs itself in a pipeline or in the background), and the
 * text a pipeline feeds a shell when it is written out (`echo "rm -rf /" | sh`,
 * `cat <<EOF | bash`), which is then checked as code.
 */
import { shellCode, type ShellCode } from "./code.js";
import { invocations, type Invocation } from "./invocation.js";
import type { Violation } from "./rules.js";
import type { Script, SimpleCommand } from "./script.js";
import { decodeAnsiC, staticValue, textOf, type Word } from "./words.js";

const DOWNLOADERS = new Set(["curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "GET"]);

/** What the cross-command rules need of each command, computed once. */
export interface Analysed {
  readonly command: SimpleCommand;
  readonly chain: readonly Invocation[];
  readonly code: readonly ShellCode[];
}

export function analyse(command: SimpleCommand): Analysed {
  const chain = invocations(command);
  const code = chain.map(shellCode).filter((c): c is ShellCode => c !== null);
  return { command, chain, code };
}

/** A shell or interpreter that reads its program from the pipe (not from its own here-document). */
function readsPipe(c: Analysed): ShellCode | undefined {
  return c.command.stdin ? undefined : c.code.find((code) => code.readsStdin);
}

/**
 * Counts of downloading and of pipe-reading commands before each index, to
 * ask "is there one in this span" in O(log n): nested pipelines stay linear.
 */
export class Downloads {
  private readonly starts: number[];
  private readonly downloads: number[];
  private readonly readers: number[];

  constructor(private readonly commands: readonly Analysed[]) {
    this.starts = commands.map((c) => c.command.start);
    this.downloads = [0];
    this.readers = [0];
    for (const c of commands) {
      this.downloads.push(this.downloads.at(-1)! + (c.chain.some((i) => i.program !== null && DOWNLOADERS.has(i.program)) ? 1 : 0));
      this.readers.push(this.readers.at(-1)! + (readsPipe(c) ? 1 : 0));
    }
  }

  /** A download among the commands that start inside [start, end). */
  within(start: number, end: number): boolean {
    return this.downloads[this.lowerBound(end)]! - this.downloads[this.lowerBound(start)]! > 0;
  }

  /** A pipe-reading shell among the commands that start inside [start, end). */
  readerWithin(start: number, end: number): boolean {
    return this.readers[this.lowerBound(end)]! - this.readers[this.lowerBound(start)]! > 0;
  }

  /** The commands that start inside [start, end), in order. */
  commandsIn(start: number, end: number): readonly Analysed[] {
    return this.commands.slice(this.lowerBound(start), this.lowerBound(end));
  }

  private lowerBound(at: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A shell given a downloaded program: through a process substitution, a command substitution in its code, or a pipe. */
export function downloadedCode(analysed: Analysed, downloads: Downloads): Violation | null {
  for (const code of analysed.code) {
    const sources = [...(code.operand ? [code.operand] : []), ...(code.words ?? [])];
    const fetched = sources.find((word) => word.segments.some((s) => s.dynamic?.kind === "command") && downloads.within(word.start, word.end));
    if (fetched) return { rule: "download-piped-to-shell", detail: `${code.via} runs what ${clip(textOf(fetched))} downloads` };
  }
  return null;
}

export interface PipedCode {
  readonly via: string;
  readonly words: readonly Word[];
}

/** Downloads piped into a program-reading shell, and written-out text piped into one (returned, to be checked as code). */
export function checkPipelines(script: Script, downloads: Downloads): { violation: Violation | null; piped: PipedCode[] } {
  const piped: PipedCode[] = [];
  for (const stages of script.pipelines) {
    let downloaded = false;
    for (let i = 0; i < stages.length; i++) {
      const [start, end] = stages[i]!;
      if (!downloads.readerWithin(start, end)) {
        downloaded ||= downloads.within(start, end);
        continue;
      }
      const reader = downloads
        .commandsIn(start, end)
        .map(readsPipe)
        .find((code) => code !== undefined)!;
      if (downloaded) return { violation: { rule: "download-piped-to-shell", detail: `a download piped into ${reader.via}` }, piped };
      if (i > 0) {
        const producer = downloads.commandsIn(...stages[i - 1]!)[0];
        const text = producer ? writtenOut(producer) : null;
        if (text) piped.push({ via: `${reader.via} fed by ${producer!.chain[0]?.program ?? "a command"}`, words: text });
      }
      downloaded ||= downloads.within(start, end);
    }
  }
  return { violation: null, piped };
}

/**
 * What `echo …`, `printf …` or `cat <<EOF` writes, when it is written in the
 * command; backslash escapes are decoded (as `printf` and `echo -e` do), which
 * at worst adds line breaks, and so commands, to what is checked.
 */
function writtenOut({ command, chain }: Analysed): readonly Word[] | null {
  const last = chain.at(-1);
  if (!last) return null;
  if (last.program === "echo" || last.program === "printf") {
    const words = last.args.filter((word, index) => !(last.program === "echo" && index === 0 && /^-[neE]+$/.test(staticValue(word) ?? "")));
    return words.map((word) => ({ ...word, segments: word.segments.map((s) => (s.dynamic ? s : { ...s, text: decodeAnsiC(s.text) })) }));
  }
  if (last.program === "cat" && last.args.length === 0 && command.stdin) return [command.stdin];
  return null;
}

/** A function that runs itself in a pipeline or in the background multiplies until the machine stops. */
export function checkForkBombs(commands: readonly Analysed[], script: Script): Violation | null {
  for (const { command, chain } of commands) {
    const name = command.scope && chain[0] ? staticValue(chain[0].name) : null;
    if (name === null) continue;
    let scope = command.scope;
    for (let depth = 0; scope && depth < 16; depth++, scope = scope.parent) {
      if (scope.name !== name) continue;
      // Self-calls are rare, so a plain scan of the spawned spans costs nothing in ordinary scripts.
      if (script.spawned.some(([start, end]) => start <= command.start && command.end <= end)) {
        return { rule: "fork-bomb", detail: `function ${name} runs itself in a pipeline or in the background` };
      }
    }
  }
  return null;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
