import { format } from "node:util";
import type { LogFn } from "../core/index.js";

export interface ProcessGuard {
  /** Puts back every handler and console method it replaced. Idempotent. */
  release(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
const CONSOLE = ["log", "info", "warn", "error", "debug", "trace"] as const;

/**
 * While the dashboard owns the terminal: signals and uncaught errors come to
 * us (blessed's own handlers exit the process without restoring anything
 * when they are the only ones), and whatever a library prints with
 * `console.*` or as a process warning goes to the log file, never onto the
 * screen.
 */
export function guardProcess(log: LogFn, handlers: { signal: (signal: string) => void; fatal: (error: unknown) => void }): ProcessGuard {
  // Deferred: blessed's own handlers run right after ours, and stand back only while ours
  // are still registered; quitting at once would unregister theirs mid-dispatch and let
  // them call process.exit before our clean-up and error report.
  const onSignal = (signal: NodeJS.Signals) => void setImmediate(() => handlers.signal(signal));
  const onException = (error: unknown) => {
    log("tui.uncaught", { error });
    setImmediate(() => handlers.fatal(error));
  };
  const onRejection = (reason: unknown) => log("tui.unhandled-rejection", { error: reason });
  const onWarning = (warning: Error) => log("process.warning", { error: warning });
  const savedWarning = process.listeners("warning");
  const savedConsole = Object.fromEntries(CONSOLE.map((name) => [name, console[name]]));

  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  process.removeAllListeners("warning");
  process.on("warning", onWarning);
  for (const name of CONSOLE) console[name] = (...args: unknown[]) => log(`console.${name}`, { text: format(...args) });

  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      for (const signal of SIGNALS) process.off(signal, onSignal);
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
      process.off("warning", onWarning);
      for (const listener of savedWarning) process.on("warning", listener as (warning: Error) => void);
      Object.assign(console, savedConsole);
    },
  };
}
