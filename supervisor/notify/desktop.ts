/**
 * A desktop target: `notify-send` with the title and the text as arguments
 * after `--` (a text starting with `-` stays text), only where there is a
 * display to show it on.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { DesktopTarget } from "../../core/index.js";
import { NotifyFailure, type Sender, type Unusable } from "./sender.js";

/** The notify-send the environment's PATH finds, or null. */
export function findNotifySend(env: Readonly<Record<string, string | undefined>>): string | null {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "notify-send");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

export function desktopSender(target: DesktopTarget, env: Readonly<Record<string, string>>): Sender | Unusable {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY)
    return {
      target,
      problem: "no display here (DISPLAY and WAYLAND_DISPLAY are not set)",
      hint: "Desktop notifications need the swarm to run in a graphical session; use a webhook or command target on a server.",
    };
  const program = findNotifySend(env);
  if (program === null) return { target, problem: "notify-send is not installed", hint: "Install it (Debian/Ubuntu: apt-get install libnotify-bin)." };
  return {
    target,
    where: "notify-send",
    async send(message, signal) {
      const { execa } = await import("execa"); // on first use: its ~140 files cost every CLI command ~100 ms at start
      const result = await execa(program, ["--app-name=claude-agent", "--", message.title, message.text], {
        env,
        extendEnv: false,
        cancelSignal: signal,
        forceKillAfterDelay: 1000,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
        maxBuffer: 64 * 1024,
        reject: false,
      });
      if (result.failed)
        throw new NotifyFailure(
          `notify-send failed (exit ${result.exitCode ?? "?"}): ${String(result.stderr ?? "")
            .trim()
            .slice(-200)}`,
          false,
          "Is a notification daemon running in this session?",
        );
    },
  };
}
