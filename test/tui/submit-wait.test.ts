/**
 * `submit --wait` while the task runs: on a real terminal (a tmux pane of the
 * test's own), the agent, the elapsed time and the live tail of the agent's
 * pane, redrawn in place and gone once the result is printed; plain lines on
 * stderr when it is not a terminal; nothing extra with --json. A task whose
 * output tries to retitle the terminal shows its text, never the title change.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { TestTerminal } from "./terminal.js";

const YAML = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\n";

describe("submit --wait shows the task's progress", { timeout: 180_000 }, () => {
  let swarm: TestSwarm;
  let term: TestTerminal;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    term = TestTerminal.start({ width: 120, height: 40 });
  }, 120_000);
  afterAll(async () => {
    term?.close();
    await swarm?.destroy();
  });

  it("on a terminal: agent, elapsed time and the pane's live tail, erased before the result", async () => {
    const title = term.info("#{pane_title}");
    // Lines the task prints are not in its text (tick-$((i*11))), so the tail shows output, not the echoed command.
    const task = "printf '\\033]2;pwned-title\\007'; for i in $(seq 1 30); do echo tick-$((i*11)); sleep 0.2; done";
    const file = join(swarm.home, "progress-task.sh");
    writeFileSync(file, task);
    term.run(`clear; node ${CLI} --home ${swarm.home} submit --agent alpha --wait --task-file ${file}; echo EXIT-MARK`);
    const live = await term.waitFor(/│ tick-55\b/, { what: "the tail to show the fifth line", timeoutMs: 60_000 });
    expect(live).toMatch(/task \S+ · running on alpha \(alpha-1\) · \d+(\.\d)? m?s/);
    expect(live).not.toMatch(/│ tick-330\b/); // still running: the tail is live, not the result
    const done = await term.waitFor(/^EXIT-MARK\s*$/m, { what: "the result", timeoutMs: 60_000 });
    expect(done).toMatch(/task \S+: completed · exit 0 · agent alpha \(alpha-1\)/);
    expect(done).not.toContain("│ tick-"); // the block is gone: only the result's output remains
    expect(done).not.toMatch(/running on alpha/);
    expect(done).toMatch(/^tick-330\s*$/m);
    expect(term.info("#{pane_title}")).toBe(title);
  });

  it("without a terminal: plain lines on stderr; with --json: nothing but the result", () => {
    const plain = swarm.cli(["submit", "--agent", "alpha", "--wait", "--task", "echo out-$((6*7)); sleep 0.6; echo out-$((7*8))"]);
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toMatch(/^task \S+: running on alpha \(alpha-1\)$/m);
    expect(plain.stderr).toMatch(/^alpha-1 \| out-42$/m);
    expect(plain.stderr).toMatch(/^alpha-1 \| out-56$/m);
    expect(plain.stderr).not.toMatch(/\x1b/);
    expect(plain.stdout).toMatch(/^out-42\nout-56$/m);

    // The pane shows what the task printed, secrets and all; the progress lines are redacted like its stored output.
    const secret = swarm.cli(["submit", "--agent", "alpha", "--wait", "--task", "echo connect postgres://app:hunter2-$((40+2))@db.internal:5432/app"]);
    expect(secret.stderr).toMatch(/^alpha-1 \| connect postgres:\/\/app:\[redacted\]@db\.internal:5432\/app$/m);
    expect(secret.stderr).not.toContain("hunter2-42");

    const json = swarm.cli(["submit", "--agent", "alpha", "--wait", "--json", "--task", "echo quiet"]);
    expect(json.exitCode).toBe(0);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "completed", output: "quiet\n" });
  });
});
