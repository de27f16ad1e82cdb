import { literal, type Command, type Scan, type Word } from "./model.js";

/**
 * Where a script hands a value to something that runs it as code, even though
 * the value reaches the script only as a variable: a command name, `eval`, the
 * script of `bash -c` or `python -c`, stdin of a shell, arithmetic, a variable
 * name. These are the author's constructs; we recognise the usual ones and the
 * step is refused (and `workflow validate` warns). A script that writes a value
 * to a file and runs that file is beyond what any reading of the text can see.
 */

/** Commands that run their first operand as a command. */
const PREFIX = new Set([
  "sudo",
  "doas",
  "env",
  "exec",
  "command",
  "builtin",
  "nohup",
  "nice",
  "ionice",
  "time",
  "timeout",
  "xargs",
  "stdbuf",
  "setsid",
  "chroot",
  "taskset",
  "flock",
  "unbuffer",
  "watch",
  "strace",
  "chrt",
]);
/** Commands whose operands are code. */
const EVAL = new Set(["eval", "source", ".", "trap", "let", "alias", "bind", "complete", "compgen", "fc"]);
/** Builtins whose operands name variables (a name like a[$(cmd)] runs cmd). */
const NAMES = new Set(["read", "unset", "mapfile", "readarray", "declare", "typeset", "local", "export", "readonly", "getopts", "wait"]);
/** Reserved words after which a command name still follows. */
const RESERVED = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done", "esac", "in", "coproc"]);
const NUMERIC_TEST = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v", "-R"]);

interface Interpreter {
  /** An option after which the next word is a program. */
  readonly code: RegExp;
  /** With no program given as an option or a file, it reads its program from stdin. */
  readonly stdin: boolean;
}
const SHELL: Interpreter = { code: /^-[a-zA-Z]*c[a-zA-Z]*$/, stdin: true };
const INTERPRETERS: Record<string, Interpreter> = {
  ...Object.fromEntries(["bash", "sh", "dash", "zsh", "ksh", "mksh", "fish", "busybox", "su"].map((name) => [name, SHELL])),
  ...Object.fromEntries(["python", "python2", "python3", "pypy", "pypy3"].map((name) => [name, { code: /^-[a-zA-Z]*c$/, stdin: true }])),
  ...Object.fromEntries(["node", "nodejs", "deno", "bun"].map((name) => [name, { code: /^(?:-e|-p|--eval|--print)$/, stdin: true }])),
  ...Object.fromEntries(["perl", "ruby"].map((name) => [name, { code: /^-[a-zA-Z]*[eE]$/, stdin: true }])),
  php: { code: /^-r$/, stdin: true },
  lua: { code: /^-e$/, stdin: true },
  Rscript: { code: /^-e$/, stdin: false },
  osascript: { code: /^-e$/, stdin: true },
  expect: { code: /^-c$/, stdin: true },
  tclsh: { code: /^$/, stdin: true },
  ...Object.fromEntries(["psql", "mysql", "sqlite3"].map((name) => [name, { code: /^(?:-c|-e|--command|--execute|-cmd)$/, stdin: true }])),
};
/** Programs whose first operand is a program in their own language (sed's `e` runs commands; awk has system()). */
const PROGRAM_FIRST = new Set(["awk", "gawk", "mawk", "nawk", "sed", "gsed", "sqlite3", "ssh", "jq"]);

const base = (name: string): string => name.slice(name.lastIndexOf("/") + 1);
const isOption = (text: string): boolean => text.startsWith("-") && text !== "-";

export function assessRisks(source: string, scan: Scan): void {
  const lit = (word: Word): string => literal(source, word);
  const integers = integerNames(source, scan.commands);
  const readsCode = new Map<Command, string>();
  const flag = (word: Word | undefined, why: string, before = Infinity): void => {
    for (const slot of word?.slots ?? []) if (slot.start < before) slot.unsafe ??= `${slot.raw} ${why}`;
  };

  for (const cmd of scan.commands) {
    if (cmd.data) continue;
    const words = cmd.words;
    let i = 0;
    for (; i < words.length; i++) {
      const word = words[i]!;
      if (RESERVED.has(lit(word))) continue;
      const assignment = /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.exec(source.slice(word.start, word.end));
      if (assignment === null) break;
      const name = assignment[0].replace(/[[+=].*$/s, "");
      flag(word, "is part of a variable's name (an array subscript is evaluated as arithmetic)", word.start + assignment[0].length - 1);
      if (integers.has(name)) flag(word, `is assigned to ${name}, declared an integer, so bash evaluates it as arithmetic`);
    }
    if (i >= words.length) continue;
    let name = lit(words[i]!);
    flag(words[i], "is used as a command name: the value would choose the command");
    i++;
    if (name === "for" || name === "select" || name === "function") {
      flag(words[i], "names a variable or function");
      continue;
    }
    if (name === "case") continue;
    while (PREFIX.has(base(name)) && i < words.length) {
      const prefix = base(name);
      while (
        i < words.length &&
        (isOption(lit(words[i]!)) ||
          (prefix === "env" && /^\w+=/.test(lit(words[i]!))) ||
          (/^(timeout|nice|ionice|chrt|taskset)$/.test(prefix) && /^[\d.]+[smhd]?$/.test(lit(words[i]!))))
      )
        i++;
      if (i >= words.length) break;
      flag(words[i], `is used as the command that ${prefix} runs: the value would choose the command`);
      name = lit(words[i]!);
      i++;
    }
    const args = words.slice(i);
    const command = base(name);
    const hereStrings = cmd.redirects.filter((r) => r.op === "<<<").map((r) => r.word);
    if (EVAL.has(command)) for (const arg of args) flag(arg, `is run as code by ${command}`);
    if ((command === "[" || command === "test" || command === "[[") && args.some((a) => NUMERIC_TEST.has(lit(a)))) {
      for (const arg of args)
        flag(
          arg,
          `is an operand of ${command} with a numeric test (-eq, -lt, -v …), which bash evaluates as arithmetic: compare it as a string, or check it is a number first`,
        );
    }
    if (NAMES.has(command)) {
      const integer = args.some((a) => /^-[a-zA-Z]*i/.test(lit(a)));
      for (const arg of args) {
        if (isOption(lit(arg))) continue;
        const eq = source.slice(arg.start, arg.end).indexOf("=");
        flag(arg, `names a variable for ${command}`, eq < 0 ? Infinity : arg.start + eq);
        if (integer) flag(arg, `is assigned to an integer variable (${command} -i), which bash evaluates as arithmetic`);
      }
    }
    if (command === "printf") {
      const v = args.findIndex((a) => lit(a) === "-v");
      if (v >= 0) flag(args[v + 1], "names the variable of printf -v");
      for (const arg of args) if (/^-v./.test(lit(arg))) flag(arg, "names the variable of printf -v");
    }
    const interpreter = Object.hasOwn(INTERPRETERS, command) ? INTERPRETERS[command] : undefined;
    if (interpreter !== undefined) {
      let program = false;
      let operand: Word | undefined;
      for (let k = 0; k < args.length; k++) {
        const text = lit(args[k]!);
        if (interpreter.code.source !== "^$" && interpreter.code.test(text)) {
          flag(args[k + 1], `is in the program that ${command} runs`);
          program = true;
          k++;
        } else if (/^--(?:eval|print|command|execute)=/.test(text)) {
          flag(args[k], `is in the program that ${command} runs`);
          program = true;
        } else if (!isOption(text)) {
          operand = args[k];
          break;
        }
      }
      const fromStdin = operand === undefined || ["-", "/dev/stdin"].includes(lit(operand)) || args.some((a) => lit(a) === "-s");
      if (!program && interpreter.stdin && fromStdin) readsCode.set(cmd, command);
      if (!program && command === "tclsh" && operand !== undefined) flag(operand, `is the program tclsh runs`);
      for (const word of hereStrings) if (readsCode.has(cmd)) flag(word, `is fed to ${command}, which runs what it reads`);
    }
    if (PROGRAM_FIRST.has(command)) {
      const file = args.some((a) => /^-[a-zA-Z]*f$|^--file/.test(lit(a)));
      const expr = args.findIndex((a) => /^(?:-e|--expression|--source)$/.test(lit(a)));
      if (command === "ssh") for (const arg of args) flag(arg, "is sent to ssh, whose remote shell runs its arguments");
      else if (expr >= 0) flag(args[expr + 1], `is in the program that ${command} runs`);
      else if (!file && command !== "sqlite3" && command !== "jq")
        flag(
          args.find((a) => !isOption(lit(a))),
          `is the program that ${command} runs`,
        );
      if (command === "sqlite3")
        for (const arg of args.filter((a) => !isOption(lit(a))).slice(1)) flag(arg, "is SQL that sqlite3 runs (its .shell command runs programs)");
      if (command === "ssh") readsCode.set(cmd, command);
    }
  }

  // What goes into the stdin of a program that runs its stdin: a heredoc, a here-string, an earlier command of the pipeline.
  for (const cmd of scan.commands) {
    const at = cmd.pipeline.indexOf(cmd);
    const reader = cmd.pipeline
      .slice(at)
      .map((c) => readsCode.get(c))
      .find((r) => r !== undefined);
    if (reader === undefined) continue;
    const why = `is fed to ${reader}, which runs what it reads as code`;
    for (const heredoc of cmd.heredocs) for (const slot of heredoc.slots) slot.unsafe ??= `${slot.raw} ${why}`;
    if (readsCode.get(cmd) === undefined) for (const word of [...cmd.words, ...cmd.redirects.map((r) => r.word)]) flag(word, `${why} (through the pipe)`);
  }
}

/** Variables the script declares as integers anywhere (`declare -i n`), whose assignments evaluate arithmetic. */
function integerNames(source: string, commands: readonly Command[]): Set<string> {
  const names = new Set<string>();
  for (const cmd of commands) {
    const [first, ...rest] = cmd.words.map((w) => literal(source, w));
    if (first === undefined || !["declare", "typeset", "local", "export", "readonly"].includes(first)) continue;
    if (!rest.some((w) => /^-[a-zA-Z]*i/.test(w))) continue;
    for (const word of rest) if (!word.startsWith("-")) names.add(word.replace(/=.*$/s, ""));
  }
  return names;
}
