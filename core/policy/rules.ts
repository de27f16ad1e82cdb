/**
 * The default rules: structured checks of one command's program, flags and
 * operands, each linear in the command's size. They refuse the well-known
 * disasters, however the words are quoted or the flags spelled
 * (`rm -f -r /`, `r''m -rf /`, `rm --recursive --force /`, `/bin/rm -rf //`).
 */
import { candidates, isDangerousPath, isDisk } from "./targets.js";
import type { Invocation } from "./invocation.js";
import type { SimpleCommand } from "./script.js";
import { staticValue, textOf, type Word } from "./words.js";

export interface Violation {
  readonly rule: string;
  /** What was found, for a person: `rm -r on /`. */
  readonly detail: string;
}

const MKFS = /^(?:mkfs(?:\..+)?|mke2fs|mkdosfs|mkntfs|mkexfatfs|mkswap)$/;
const DEVICE_WRITERS = new Set(["tee", "shred", "wipefs", "blkdiscard", "cp", "mv", "install", "sgdisk", "sfdisk", "fdisk", "parted"]);
const OUTPUT_REDIRECTS = new Set([">", ">>", ">|", "&>", "&>>", "<>", ">&"]);

export function checkInvocation(invocation: Invocation): Violation | null {
  const { program, args } = invocation;
  if (program === null) return dynamicCommand(invocation);
  if (program === "rm") return recursiveOnDanger("rm-rf-root", "rm", args, "rR");
  if (program === "chmod" || program === "chown" || program === "chgrp") return recursiveOnDanger("chmod-root", program, args, "R");
  if (MKFS.test(program)) return { rule: "mkfs", detail: `${program} makes a new filesystem` };
  if (program === "dd") {
    const out = args.find((word) => candidates(word).some(isDiskOutput));
    if (out) return { rule: "raw-disk-write", detail: `dd ${textOf(out)}` };
  }
  if (DEVICE_WRITERS.has(program)) {
    const disk = operands(args).find((word) => candidates(word).some(isDisk));
    if (disk) return { rule: "raw-disk-write", detail: `${program} on ${textOf(disk)}` };
  }
  return null;
}

/** Output redirected onto a disk (`> /dev/sda`, `exec 3>/dev/nvme0n1`), whatever the command. */
export function checkRedirects(command: SimpleCommand): Violation | null {
  for (const redirect of command.redirects) {
    if (OUTPUT_REDIRECTS.has(redirect.op) && redirect.target && candidates(redirect.target).some(isDisk)) {
      return { rule: "raw-disk-write", detail: `${redirect.op} ${textOf(redirect.target)}` };
    }
  }
  return null;
}

/**
 * `rm -r` (chmod/chown `-R`) on a dangerous target. Flags are read wherever
 * they stand (GNU tools take them after operands too) until `--`; an argument
 * computed at run time may be the flag, so it counts as one.
 */
function recursiveOnDanger(rule: string, program: string, args: readonly Word[], letters: string): Violation | null {
  let recursive = false;
  let noPreserveRoot = false;
  let target: Word | null = null;
  let options = true;
  for (const word of args) {
    const value = staticValue(word);
    if (options && value === "--") options = false;
    else if (options && value?.startsWith("--")) {
      if (value === "--recursive" || value.startsWith("--recursive=")) recursive = true;
      if (value === "--no-preserve-root") noPreserveRoot = true;
    } else if (options && value !== null && /^-[A-Za-z]+$/.test(value)) {
      if ([...letters].some((letter) => value.includes(letter))) recursive = true;
    } else {
      if (value === null) recursive = true;
      if (!target && candidates(word).some(isDangerousPath)) target = word;
    }
  }
  if (target && (recursive || noPreserveRoot)) return { rule, detail: `${program} ${letters === "R" ? "-R" : "-r"} on ${textOf(target)}` };
  return null;
}

/** A command word computed at run time, given the arguments of a known disaster: refused, since it may well be that program. */
function dynamicCommand({ name, args }: Invocation): Violation | null {
  const what = `a command word computed at run time (${clip(textOf(name))})`;
  const destructive = recursiveOnDanger("dynamic-command", "", args, "rR");
  if (destructive) return { rule: "dynamic-command", detail: `${what} with ${args.map((w) => clip(textOf(w))).join(" ")}` };
  const disk = args.find((word) => candidates(word).some((value) => isDisk(value) || isDiskOutput(value)));
  if (disk) return { rule: "dynamic-command", detail: `${what} on ${textOf(disk)}` };
  const root = args.find((word) => candidates(word).some(isDangerousPath));
  if (root) return { rule: "dynamic-command", detail: `${what} on ${textOf(root)}` };
  return null;
}

/** Operands of a command: words after `--`, or not starting with `-`. */
function operands(args: readonly Word[]): Word[] {
  const out: Word[] = [];
  let options = true;
  for (const word of args) {
    const value = staticValue(word);
    if (options && value === "--") options = false;
    else if (!options || value === null || !value.startsWith("-")) out.push(word);
  }
  return out;
}

/** dd's `of=DEVICE`. */
function isDiskOutput(value: string): boolean {
  return value.startsWith("of=") && isDisk(value.slice(3));
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
