/**
 * A command target: the program run from its argument list (no shell), the
 * message as JSON on its stdin, in an environment without the swarm's
 * variables. Exit 0 is a delivery; anything else is tried again, except a
 * program that is not there.
 */
import type { CommandTarget } from "../../core/index.js";
import { oneLine } from "./message.js";
import { NotifyFailure, type Sender } from "./sender.js";

export function commandSender(target: CommandTarget, env: Readonly<Record<string, string>>): Sender {
  const [program, ...args] = target.command as [string, ...string[]];
  return {
    target,
    where: `command ${program}`,
    async send(message, signal) {
      const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
      const result = await execa(program, args, {
        input: `${JSON.stringify(message)}\n`,
        env,
        extendEnv: false,
        cancelSignal: signal,
        forceKillAfterDelay: 1000,
        stdout: "ignore",
        stderr: "pipe",
        maxBuffer: 64 * 1024,
        reject: false,
      });
      if (!result.failed) return;
      if ((result as { code?: string }).code === "ENOENT")
        throw new NotifyFailure(`${program} not found`, true, "Give the program's full path as the first word of `command` in swarm.yaml.");
      if (result.isCanceled || result.isTerminated)
        throw new NotifyFailure(`${program} did not finish in time`, false, "It must read its stdin and exit; it is given 10 s.");
      const said = typeof result.stderr === "string" && result.stderr.trim() !== "" ? `: ${oneLine(result.stderr.slice(-300), 300)}` : "";
      throw new NotifyFailure(`${program} exited with ${result.exitCode ?? "?"}${said}`, false, "Run it by hand with the message on its stdin to see why.");
    },
  };
}
