/**
 * The commands we print for a person to paste (hints, next steps): they must
 * work as printed, so a home other than the default is named with `--home`.
 */
import { resolveHome } from "../core/index.js";

/** Quotes a word for a copy-pasteable shell command only when it needs it. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `claude-agent [--home H] ARGS…` for the swarm in `home`; `--home` only when `home` is not the one a bare command finds. */
export function agentCommand(home: string, ...args: string[]): string {
  const flag = resolveHome(undefined) === resolveHome(home) ? [] : ["--home", home];
  return ["claude-agent", ...flag, ...args].map(shellWord).join(" ");
}
