/**
 * The program a simple command runs, seen through the wrappers that run
 * another command (`sudo -u x rm …`, `env A=1 nice -n 5 rm …`, `command rm`,
 * `/usr/bin/xargs rm`, `busybox rm`): its name without a path (`/bin/rm` is
 * `rm`) and its arguments. A command word computed at run time (`$(echo rm)`,
 * `$CMD`, `r{m,}`) has no static name; its arguments are then also tried as
 * the command, since the computed word may be a wrapper (`$SUDO rm -rf /`).
 */
import type { SimpleCommand } from "./script.js";
import { staticValue, type Word } from "./words.js";

export interface Invocation {
  /** The program's name without its folder, or null when the command word is computed at run time. */
  readonly program: string | null;
  readonly name: Word;
  readonly args: readonly Word[];
}

interface WrapperSpec {
  /** Short options that take a value (`-u root`, `-uroot`). */
  readonly short?: string;
  /** Long options that take a value as the next word (`--user root`); `--user=root` is always one word. */
  readonly long?: readonly string[];
  /** `NAME=value` words before the command. */
  readonly assignments?: boolean;
  /** Operands before the command (`timeout DURATION cmd`, `chroot DIR cmd`). */
  readonly operands?: number;
  /** Options after which no command runs (`command -v rm` only looks rm up). */
  readonly lookupOnly?: string;
}

const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: {
    short: "ugCDhprtUTR",
    long: ["user", "group", "close-from", "chdir", "host", "prompt", "role", "type", "other-user", "command-timeout", "chroot"],
    assignments: true,
    lookupOnly: "lVvK",
  },
  doas: { short: "uC" },
  env: { short: "uC", long: ["unset", "chdir"], assignments: true },
  nice: { short: "n", long: ["adjustment"] },
  ionice: { short: "cnp", long: ["class", "classdata", "pid", "pgid", "uid"] },
  nohup: {},
  setsid: {},
  time: { short: "fo", long: ["format", "output"] },
  command: { lookupOnly: "vV" },
  builtin: {},
  exec: { short: "a" },
  stdbuf: { short: "ioe", long: ["input", "output", "error"] },
  timeout: { short: "sk", long: ["signal", "kill-after"], operands: 1 },
  chroot: { long: ["userspec", "groups"], operands: 1 },
  taskset: { operands: 1 },
  xargs: { short: "adEeIiLlnPs", long: ["arg-file", "delimiter", "eof", "replace", "max-lines", "max-args", "max-procs", "max-chars", "process-slot-var"] },
  busybox: {},
  // Keywords appear as command words only where the parser recovered from a syntax error (`if [ x; then rm …`).
  // biome-ignore lint/suspicious/noThenProperty: a table of bash words looked up by name, never awaited
  then: {},
  do: {},
  else: {},
  elif: {},
  if: {},
  while: {},
  until: {},
  "!": {},
  "{": {},
  coproc: {},
};

/** Beyond this many nested wrappers, the rest is taken as it is. */
const MAX_UNWRAP = 8;

/** The command as written, then each command its wrappers run, innermost last. */
export function invocations(command: SimpleCommand): Invocation[] {
  const chain: Invocation[] = [];
  let words = command.words;
  for (let depth = 0; words.length > 0 && depth <= MAX_UNWRAP; depth++) {
    const name = words[0]!;
    const value = staticValue(name);
    const program = value === null ? null : basename(value);
    chain.push({ program, name, args: words.slice(1) });
    if (program === null) {
      words = words.slice(1);
      continue;
    }
    const spec = WRAPPERS[program];
    if (!spec) break;
    const inner = commandAfter(words, spec);
    if (inner === null) break;
    words = words.slice(inner);
  }
  return chain;
}

/** Where the wrapped command starts in `words`, or null when the wrapper runs none. */
function commandAfter(words: readonly Word[], spec: WrapperSpec): number | null {
  let operands = spec.operands ?? 0;
  for (let i = 1; i < words.length; i++) {
    const value = staticValue(words[i]!);
    if (value === null) return i;
    if (value === "--") return i + 1 < words.length ? i + 1 : null;
    if (value.startsWith("--") && value.length > 2) {
      if (!value.includes("=") && spec.long?.includes(value.slice(2))) i++;
      continue;
    }
    if (value.startsWith("-") && value.length > 1) {
      for (let k = 1; k < value.length; k++) {
        if (spec.lookupOnly?.includes(value[k]!)) return null;
        if (spec.short?.includes(value[k]!)) {
          if (k === value.length - 1) i++;
          break;
        }
      }
      continue;
    }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) continue;
    if (operands > 0) {
      operands--;
      continue;
    }
    return i;
  }
  return null;
}

export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || path;
}
