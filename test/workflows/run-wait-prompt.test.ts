/**
 * `workflow run --wait` at a terminal answers its steps inline, on a real swarm and a real
 * pseudo-terminal: `y` at an approval prompt approves the step and the run completes; a
 * step approved from another process withdraws the open prompt and the run is followed to
 * its end; an input step's values typed at the prompt reach the next step; Enter leaves a
 * step waiting with the command that answers it, and Ctrl-C at a prompt stops only the
 * waiting. Without a terminal, or with --no-prompt, nothing is asked and the command is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { type PtyCli, spawnCliInPty } from "../helpers/pty-cli.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, spawnCli, stateUntil, statuses, workflowFile } from "./support.js";
import { waitFor } from "../helpers/wait.js";

describe("workflow run --wait on a terminal", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let workflows: WorkflowClient;
  const terminals: PtyCli[] = [];

  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
  });
  afterAll(async () => {
    for (const t of terminals) t.kill();
    await swarm?.destroy();
  });

  const gated = (name: string) =>
    workflowFile(swarm.home, {
      name,
      params: { target: "staging" },
      steps: [
        { id: "build", agent: "alpha", task: "echo built" },
        { id: "hold", approval: "Ship to {{params.target}}?\nThe build said: {{steps.build.output}}", depends_on: "build" },
        { id: "ship", agent: "beta", depends_on: "hold", task: "echo shipped" },
      ],
    });
  const runOnTerminal = (file: string, extra: readonly string[] = []): PtyCli => {
    const terminal = spawnCliInPty(["workflow", "run", "--file", file, "--wait", ...extra], { home: swarm.home });
    terminals.push(terminal);
    return terminal;
  };
  const executionOn = async (terminal: PtyCli): Promise<string> => (await terminal.waitFor(/execution (\S+) · workflow/, "the step table"))[1]!;

  it("asks at an approval step, shows its question quoted and cleaned, and `y` approves it: the run completes", async () => {
    const terminal = runOnTerminal(gated("asked"), ["--params", "target=prod\x1b]0;owned\x07"]);
    const id = await executionOn(terminal);
    // The question quoted right above the prompt, each line marked, the param's terminal escape gone.
    await terminal.waitFor(
      /\n {2}│ Ship to prod\?\n {2}│ The build said: built\n\napprove step "hold" of workflow asked\? \[y\/n\/skip, Enter skips\] $/,
      "the approval prompt",
    );
    expect(terminal.raw()).not.toContain("\x1b]");
    terminal.write("y\r");
    const end = await terminal.done;
    expect(end, terminal.text()).toEqual({ exitCode: 0, signal: 0 });
    expect(terminal.text()).toContain(`approved step "hold" of execution ${id}\n`);
    expect(terminal.text()).toMatch(/ship\s+completed\s+beta/);
    expect(statuses(await workflows.get(id))).toEqual({ build: "completed", hold: "completed", ship: "completed" });
  });

  it("withdraws the prompt when the step is approved from another process, and follows the run to its end", async () => {
    const terminal = runOnTerminal(gated("elsewhere"));
    const id = await executionOn(terminal);
    await terminal.waitFor(/approve step "hold" of workflow elsewhere\? \[y\/n\/skip, Enter skips\] $/, "the approval prompt");
    expectExit(await cli(swarm.home, ["approve", id, "hold"]), 0);
    await terminal.waitFor(/prompt withdrawn: step "hold" no longer waits \(now (running|completed)\)\n/, "the prompt withdrawn");
    const end = await terminal.done;
    expect(end, terminal.text()).toEqual({ exitCode: 0, signal: 0 });
    expect(terminal.text()).not.toContain("approved step");
    expect(terminal.text()).toMatch(/ship\s+completed\s+beta/);
  });

  it("takes an input step's values at the prompt (asking again after a refused value), and the next step prints them", async () => {
    const terminal = runOnTerminal(
      workflowFile(swarm.home, {
        name: "greeting",
        steps: [
          {
            id: "who",
            input: {
              text: "Greeting setup",
              questions: [
                { name: "name", prompt: "Whom to greet?" },
                { name: "tone", prompt: "Which tone?", choices: ["warm", "dry"], default: "warm" },
              ],
            },
          },
          { id: "greet", agent: "alpha", depends_on: "who", task: "printf 'hello %s, %s\\n' {{steps.who.answers.name}} {{steps.who.answers.tone}}" },
        ],
      }),
    );
    const id = await executionOn(terminal);
    await terminal.waitFor(
      /\nstep "who" waits for input:\n {2}│ Greeting setup\nanswer step "who" of workflow greeting now\? \[y\/skip, Enter skips\] $/,
      "the input prompt",
    );
    terminal.write("y\r");
    await terminal.waitFor(/Whom to greet\?: $/, "the first question");
    terminal.write("Bob\r");
    await terminal.waitFor(/Which tone\? \[warm\/dry, default warm\]: $/, "the second question");
    terminal.write("cold\r");
    await terminal.waitFor(
      /error: cannot answer i-\w+: tone: expected one of warm, dry, got "cold"\nWhom to greet\?: $/,
      "the refusal, then the questions again",
    );
    terminal.write('Ann "$(id)"\r');
    await terminal.waitFor(/Which tone\? \[warm\/dry, default warm\]: $/, "the second question again");
    terminal.write("\r");
    const end = await terminal.done;
    expect(end, terminal.text()).toEqual({ exitCode: 0, signal: 0 });
    expect(terminal.text()).toMatch(/answered i-\w+ \(greeting\/who\): answers: name, tone\n/);
    const state = await workflows.get(id);
    expect(state.steps.who?.answers).toEqual({ name: 'Ann "$(id)"', tone: "warm" });
    expect(state.steps.greet?.output).toBe('hello Ann "$(id)", warm\n');
  });

  it("Enter leaves a step waiting with the command that answers it; Ctrl-C at the next prompt stops only the waiting (exit 130)", async () => {
    const terminal = runOnTerminal(
      workflowFile(swarm.home, {
        name: "pair",
        steps: [
          { id: "first", approval: "First?" },
          { id: "second", approval: "Second?" },
          { id: "after", agent: "beta", depends_on: ["first", "second"], task: "echo after" },
        ],
      }),
    );
    const id = await executionOn(terminal);
    await terminal.waitFor(/approve step "first" of workflow pair\? \[y\/n\/skip, Enter skips\] $/, "the first prompt");
    terminal.write("\r");
    await terminal.waitFor(
      new RegExp(`left step "first" waiting; answer it with: claude-agent answer i-\\w+ approve \\(or claude-agent approve ${id} first\\)\\n`),
      "the command that answers the skipped step",
    );
    await terminal.waitFor(/approve step "second" of workflow pair\? \[y\/n\/skip, Enter skips\] $/, "the second prompt");
    terminal.write("\x03");
    const end = await terminal.done;
    expect(end, terminal.text()).toEqual({ exitCode: 130, signal: 0 });
    expect(terminal.text()).toContain(`stopped waiting; execution ${id} keeps running (follow it again: claude-agent monitor ${id})\n`);
    expect(statuses(await workflows.get(id))).toEqual({ first: "waiting-approval", second: "waiting-approval", after: "pending" });
    await workflows.cancel(id);
  });

  it("without a terminal, or with --no-prompt, asks nothing and prints the command that answers the step", async () => {
    const plain = spawnCli(swarm.home, ["workflow", "run", "--file", gated("piped"), "--wait"]);
    const asked = await waitFor("the approval's answer command on stderr", () =>
      /step hold: waiting-approval \(approve: claude-agent answer (i-\w+) approve \(or claude-agent approve (\S+) hold\)\)/.exec(
        plain.stderrBytes().toString("utf8"),
      ),
    );
    const terminal = runOnTerminal(gated("unasked"), ["--no-prompt"]);
    const id = await executionOn(terminal);
    await terminal.waitFor(/waiting for approval: claude-agent answer i-\w+ approve\|deny/, "the command in the table");
    await stateUntil(workflows, id, "the approval step", (s) => s.steps.hold?.status === "waiting-approval");
    expectExit(await cli(swarm.home, ["approve", id, "hold"]), 0);
    expectExit(await cli(swarm.home, ["approve", asked[2]!, "hold"]), 0);
    const [piped, unasked] = await Promise.all([plain.done, terminal.done]);
    expectExit(piped, 0);
    expect(piped.stderr).not.toContain("approve step");
    expect(unasked, terminal.text()).toEqual({ exitCode: 0, signal: 0 });
    expect(terminal.text()).not.toContain("approve step");
    expect(terminal.text()).toMatch(/ship\s+completed\s+beta/);
  });
});
