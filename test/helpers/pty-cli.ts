/** The built CLI on a real pseudo-terminal (node-pty): stdin, stdout and stderr are a terminal, as for a person at a shell. */
import { spawn } from "node-pty";
import { CLI } from "./cli.js";
import { waitFor } from "./wait.js";

export interface PtyCli {
  /** Everything the terminal received, escapes and all. */
  raw(): string;
  /** The same without our cursor movement and colours, `\r\n` as `\n`: what to match text against. */
  text(): string;
  /** Types into the terminal: `"y\r"` is y and Enter, `"\x03"` is Ctrl-C. */
  write(data: string): void;
  /** Waits until `pattern` matches the text; fails naming `what`, with the text so far. */
  waitFor(pattern: RegExp, what: string): Promise<RegExpExecArray>;
  /** The exit code once it has ended (signal: the signal number that ended it, else 0). */
  readonly done: Promise<{ exitCode: number; signal: number }>;
  kill(): void;
}

/** `node dist/cli/main.js --home HOME ARGS…` on a terminal `cols` wide; the environment is this process's and `env`, with TERM set. */
export function spawnCliInPty(args: readonly string[], options: { home: string; cols?: number; rows?: number; env?: NodeJS.ProcessEnv }): PtyCli {
  // node-pty turns an undefined value into the string "undefined": only defined ones go.
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...options.env, TERM: "xterm-256color" }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const pty = spawn(process.execPath, [CLI, "--home", options.home, ...args], {
    name: "xterm-256color",
    cols: options.cols ?? 200,
    rows: options.rows ?? 50,
    cwd: options.home,
    env,
  });
  let received = "";
  const data = pty.onData((chunk) => {
    received += chunk;
  });
  const done = new Promise<{ exitCode: number; signal: number }>((resolve) => {
    const exit = pty.onExit(({ exitCode, signal }) => {
      exit.dispose();
      data.dispose();
      resolve({ exitCode, signal: signal ?? 0 });
    });
  });
  const text = () =>
    received
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
      .replace(/\r+\n/g, "\n")
      .replace(/\r/g, "");
  return {
    raw: () => received,
    text,
    write: (keys) => pty.write(keys),
    waitFor: async (pattern, what) => {
      try {
        return await waitFor(what, () => pattern.exec(text()), { timeoutMs: 60_000 });
      } catch (error) {
        throw new Error(`${(error as Error).message}; the terminal so far:\n${text()}`);
      }
    },
    done,
    kill: () => {
      try {
        pty.kill();
      } catch {
        // already ended
      }
    },
  };
}
