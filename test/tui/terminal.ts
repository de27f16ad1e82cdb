import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const DIST = resolve(import.meta.dirname, "../../dist");
const MAIN = join(DIST, "cli/main.js");

/**
 * A real terminal for the dashboard: a tmux session on a tmux server of the
 * test's own (never the swarm's), running bash, into which the test types the
 * command, sends keys and reads the screen back with capture-pane. Its prefix
 * key is off, so C-b reaches a `tmux attach` running inside.
 */
export class TestTerminal {
  private constructor(
    readonly dir: string,
    readonly socket: string,
    readonly session: string,
  ) {}

  static start(options: { width?: number; height?: number } = {}): TestTerminal {
    const dir = mkdtempSync(join(tmpdir(), "tt-"));
    const socket = join(dir, "tmux.sock");
    const conf = join(dir, "tmux.conf");
    writeFileSync(
      conf,
      [
        "set -g prefix None",
        "unbind C-b",
        "set -g status off",
        "set -g exit-empty off",
        "set -g default-terminal screen-256color",
        "set -g history-limit 2000",
        "",
      ].join("\n"),
    );
    const terminal = new TestTerminal(dir, socket, "tui");
    terminal.tmux([
      "-f",
      conf,
      "new-session",
      "-d",
      "-s",
      "tui",
      "-x",
      String(options.width ?? 160),
      "-y",
      String(options.height ?? 48),
      "-e",
      "NCURSES_NO_UTF8_ACS=1",
      "-e",
      "LANG=C.UTF-8",
      "-e",
      "PS1=$ ",
      "-e",
      "TMUX=",
      "bash",
      "--norc",
      "--noprofile",
    ]);
    return terminal;
  }

  tmux(args: readonly string[]): string {
    return execFileSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8", env: { ...process.env, TMUX: "" } });
  }

  /** The command line that starts the dashboard in this terminal. */
  dashboardCommand(home: string, nodeArgs: readonly string[] = []): string {
    return ["node", ...nodeArgs, ...commandArgs("tui", home, this.dir)].join(" ");
  }

  /** Types a command line into the shell and presses Enter. */
  run(line: string): void {
    this.tmux(["send-keys", "-t", this.session, "-l", "--", line]);
    this.tmux(["send-keys", "-t", this.session, "Enter"]);
  }

  keys(...keys: string[]): void {
    for (const key of keys) this.tmux(["send-keys", "-t", this.session, key]);
  }

  type(text: string): void {
    this.tmux(["send-keys", "-t", this.session, "-l", "--", text]);
  }

  screen(options: { escapes?: boolean } = {}): string {
    return this.tmux(["capture-pane", "-p", ...(options.escapes ? ["-e"] : []), "-t", this.session]);
  }

  info(format: string): string {
    return this.tmux(["display-message", "-p", "-t", this.session, format]).trim();
  }

  resize(width: number, height: number): void {
    this.tmux(["resize-window", "-t", this.session, "-x", String(width), "-y", String(height)]);
  }

  /** Polls the screen until `test` passes; fails with the last screen. */
  async waitFor(test: RegExp | ((screen: string) => boolean), options: { timeoutMs?: number; escapes?: boolean; what?: string } = {}): Promise<string> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.screen({ escapes: options.escapes });
      if (typeof test === "function" ? test(screen) : test.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 80));
    }
    throw new Error(`timed out waiting for ${options.what ?? String(test)}; the screen was:\n${screen}`);
  }

  /** Pid of the program the shell is running in the foreground (the dashboard), if any. */
  foregroundPid(): number | null {
    const shell = this.info("#{pane_pid}");
    const out = spawnSync("ps", ["-o", "pid=", "--ppid", shell], { encoding: "utf8" }).stdout.trim();
    return out ? Number(out.split("\n")[0]) : null;
  }

  close(): void {
    if (existsSync(this.socket)) spawnSync("tmux", ["-S", this.socket, "kill-server"]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The line of a screen that contains `needle`, or "". */
export function lineWith(screen: string, needle: string | RegExp): string {
  return screen.split("\n").find((line) => (typeof needle === "string" ? line.includes(needle) : needle.test(line))) ?? "";
}

/**
 * argv (after `node`) that runs `claude-agent tui` or `claude-agent status
 * --watch`: through the CLI once cli/main.ts declares them, until then
 * through the command modules themselves, with the same options.
 */
export function commandArgs(kind: "tui" | "watch", home: string, dir: string, interval = "0.5"): string[] {
  const main = readFileSync(MAIN, "utf8");
  if (kind === "tui" && main.includes("commands/tui.js")) return [MAIN, "--home", home, "tui"];
  if (kind === "watch" && main.includes("commands/status-watch.js")) return [MAIN, "--home", home, "status", "--watch", "--interval", interval];
  const launcher = join(dir, `launch-${kind}.mjs`);
  const module = pathToFileURL(join(DIST, kind === "tui" ? "cli/commands/tui.js" : "cli/commands/status-watch.js")).href;
  const call = kind === "tui" ? "m.tui({ home: process.argv[2] })" : "m.statusWatch({ home: process.argv[2], interval: process.argv[3] })";
  writeFileSync(
    launcher,
    [
      `const m = await import(${JSON.stringify(module)});`,
      "let code = 0;",
      `try { await ${call}; } catch (error) { process.stderr.write(\`error: \${error.message}\\n\`); code = 1; }`,
      "process.exitCode = code;",
      "setTimeout(() => process.exit(code), 1000).unref();",
      "",
    ].join("\n"),
  );
  return kind === "tui" ? [launcher, home] : [launcher, home, interval];
}
