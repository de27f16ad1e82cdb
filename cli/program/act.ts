import type { Command } from "commander";

/** What `.action(...)` takes. */
type Action = Parameters<Command["action"]>[0];

/**
 * The exit code of the command that ran. A command returns its code (nothing: 0) or throws; commander's
 * parseAsync awaits an action but drops what it returns, so every action is wrapped in `act`, which keeps
 * the code for main.ts, the one place that sets the process's exit code.
 */
export interface ExitCodes {
  // biome-ignore lint/suspicious/noConfusingVoidType: most commands have no code of their own and return Promise<void>, which `undefined` would refuse
  act(command: (...args: Parameters<Action>) => Promise<number | void>): Action;
  /** The code the command returned; undefined while it runs, after it threw, or when none ran (--help). */
  code(): number | undefined;
}

export function exitCodes(): ExitCodes {
  let code: number | undefined;
  return {
    act:
      (command) =>
      async (...args) => {
        code = (await command(...args)) ?? 0;
      },
    code: () => code,
  };
}
