/**
 * Code a command runs as shell code: `bash -c "…"`, `eval …`, `su -c …`,
 * `env -S …`, `watch …`, and a shell (or interpreter) reading its program on
 * stdin (`sh <<< "…"`, `sh <<EOF`, `… | sh`). The policy checks such code like
 * the task itself when it is written out, and knows when it comes from a pipe
 * or a file it cannot see.
 */
import type { Invocation } from "./invocation.js";
import { staticValue, type Word } from "./words.js";

export const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "fish", "rbash"]);
/** Interpreters that read a program on stdin when given none, the way `curl … | python3` is used. */
const INTERPRETERS = /^(?:python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|nodejs|php[0-9.]*)$/;
const INTERPRETER_CODE_OPTIONS = new Set(["-c", "-e", "-E", "-m", "-r", "-p", "--eval", "--print"]);

export interface ShellCode {
  /** How the code is run, for messages: `bash -c`, `eval`, `sh (stdin)`. */
  readonly via: string;
  /** The code as words joined by spaces, when it is written in the command; null when it comes from stdin or a file. */
  readonly words: readonly Word[] | null;
  /** The program is read from stdin (a pipe, a here-document, a here-string). */
  readonly readsStdin: boolean;
  /** A script operand (`bash script.sh`, `bash <(curl …)`, `. <(curl …)`). */
  readonly operand: Word | null;
}

export function shellCode(invocation: Invocation): ShellCode | null {
  const { program, args } = invocation;
  if (program === null) return args.some((word) => staticValue(word) === "-c") ? shell("a computed command", args) : null;
  if (SHELLS.has(program)) return shell(program, args);
  if (program === "eval") return { via: "eval", words: args, readsStdin: false, operand: null };
  if (program === "." || program === "source") return { via: program, words: null, readsStdin: false, operand: args[0] ?? null };
  if (program === "su" || program === "runuser" || program === "flock") return optionCode(program, args, "c", "command");
  if (program === "env") return optionCode(program, args, "S", "split-string");
  if (program === "watch") return watch(args);
  if (INTERPRETERS.test(program)) return interpreter(program, args);
  return null;
}

/** `bash [options] [-c CODE | FILE | -s]`: options may cluster (`-ec`), `-o`/`-O` and `--rcfile` take a value. */
function shell(program: string, args: readonly Word[]): ShellCode {
  let command = false;
  let stdin = false;
  for (let i = 0; i < args.length; i++) {
    const value = staticValue(args[i]!);
    if (value === "--" || value === "-") return operand(program, command, args[i + 1] ?? null, stdin);
    if (value !== null && /^[-+][A-Za-z]+$/.test(value)) {
      if (value.startsWith("-") && value.includes("c")) command = true;
      if (value.startsWith("-") && value.includes("s")) stdin = true;
      if (/[oO]$/.test(value)) i++;
      continue;
    }
    if (value?.startsWith("--")) {
      if (value === "--rcfile" || value === "--init-file") i++;
      continue;
    }
    return operand(program, command, args[i]!, stdin);
  }
  return { via: `${program} (stdin)`, words: null, readsStdin: true, operand: null };
}

function operand(program: string, command: boolean, word: Word | null, stdin: boolean): ShellCode {
  if (command) return { via: `${program} -c`, words: word ? [word] : [], readsStdin: false, operand: null };
  return { via: program, words: null, readsStdin: stdin || word === null, operand: word };
}

/** `su -c CODE`, `su --command=CODE`, `env -S STRING`, `env -SSTRING`. */
function optionCode(program: string, args: readonly Word[], short: string, long: string): ShellCode | null {
  for (let i = 0; i < args.length; i++) {
    const value = staticValue(args[i]!);
    if (value === null) continue;
    if (value === `--${long}` || value === `-${short}`) return code(`${program} ${value}`, args[i + 1]);
    if (value.startsWith(`--${long}=`) || (value.startsWith(`-${short}`) && value.length > 2)) {
      const at = value.indexOf("=") + 1 || 2;
      return {
        via: `${program} -${short}`,
        words: [{ ...args[i]!, segments: [{ text: value.slice(at), quoted: true, dynamic: null }] }],
        readsStdin: false,
        operand: null,
      };
    }
  }
  return null;
}

function code(via: string, word: Word | undefined): ShellCode {
  return { via, words: word ? [word] : [], readsStdin: false, operand: null };
}

/** `watch [options] COMMAND…` runs its arguments with `sh -c`, unless `-x`. */
function watch(args: readonly Word[]): ShellCode | null {
  for (let i = 0; i < args.length; i++) {
    const value = staticValue(args[i]!);
    if (value === "-x" || value === "--exec") return null;
    if (value === "-n" || value === "--interval") i++;
    else if (value === null || !value.startsWith("-")) return { via: "watch", words: args.slice(i), readsStdin: false, operand: null };
  }
  return null;
}

/** `python3`, `perl -`, `node`: the program comes from stdin unless given with -c/-e or as a file. */
function interpreter(program: string, args: readonly Word[]): ShellCode {
  const given = args.find((word) => {
    const value = staticValue(word);
    return value === null || INTERPRETER_CODE_OPTIONS.has(value) || !value.startsWith("-");
  });
  return { via: program, words: null, readsStdin: given === undefined, operand: null };
}
