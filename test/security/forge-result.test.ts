/**
 * Finding 3 (a), (b), (d): what a task can do to its own result and to the
 * swarm from inside its pane, tried as an attacker would, on agents that run
 * unsandboxed (`sandbox: none`: the job files are within the task's reach, so
 * it can read its dispatch nonce). Still:
 *   (a) the exit code recorded is the one ca-run's artifact holds, written
 *       outside the task, not one a forged end marker claims;
 *   (b) the task's environment has no swarm variable leading to the tmux
 *       server, Redis or the home;
 *   (d) a task cannot hold its pane past its time limit by printing a prompt
 *       marker: the shell's prompt carries a nonce of its own, and the pane
 *       counts as free only when its shell is in the foreground again.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const YAML = `
agents:
  - name: open
    runtime: shell
    sandbox: none
    timeout: 30
    env: { OWN_VALUE: kept }
  - name: holder
    runtime: shell
    sandbox: none
    timeout: 2
`;

/** Variables that lead to the swarm's control surfaces. */
const SWARM_VARIABLES = ["TMUX", "TMUX_PANE", "CA_HOME", "CA_SESSION", "CA_AGENT", "CA_PROMPT_NONCE", "CLAUDE_AGENT_HOME", "CLAUDE_AGENT_TUNING", "REDIS_URL"];

describe("a task on an unsandboxed agent", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML, { env: { CLAUDE_AGENT_TUNING: JSON.stringify({ sessionHeartbeatMs: 60_000 }), REDIS_URL: "" } });
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  async function run(task: string, agent: string) {
    const handle = await client.submit({ task, agent });
    return handle.result({ signal: AbortSignal.timeout(45_000) });
  }

  it("cannot record a forged exit code with an end marker carrying its real nonce, read from its job files", async () => {
    // The running dispatch is the one claimed and not yet finished; its .job file's first line is the nonce.
    const jobs = swarm.paths.jobsDir;
    const task = [
      `for claim in '${jobs}'/*.claim; do`,
      "  token=${claim##*/}; token=${token%.claim}",
      `  grep -q '^end ' '${jobs}'/$token.claim && continue`,
      `  IFS= read -r nonce < '${jobs}'/$token.job`,
      '  printf \'\\e]7777;ca;end;%s;%s;0;0\\a\' "$token" "$nonce"',
      "done",
      "sleep 0.5",
      "echo the real end",
      "exit 7",
    ].join("\n");
    const result = await run(task, "open");
    expect(result).toMatchObject({ status: "failed", exitCode: 7 });
    expect(result.output).toContain("the real end");
    // The forgery did reach the pane: it had the nonce, and was refused all the same.
    expect(readFileSync(result.outputFile!, "latin1")).toMatch(new RegExp(`\\x1b\\]7777;ca;end;${result.id}-1;[a-z0-9]{16};0;0\\x07`));
  });

  it("gets no swarm variable in its environment, and keeps the agent's own env", async () => {
    const result = await run("env", "open");
    expect(result.status).toBe("completed");
    const names = result.output.split("\n").map((line) => line.split("=")[0]);
    for (const name of SWARM_VARIABLES) expect(names, name).not.toContain(name);
    expect(names.filter((name) => name?.startsWith("CA_") || name?.startsWith("CLAUDE_AGENT_"))).toEqual([]);
    expect(result.output).toContain("OWN_VALUE=kept\n");
  });

  it("cannot reach the tmux server through $TMUX to type into another agent's pane", async () => {
    const result = await run('tmux send-keys -t holder-1 "touch typed-by-another-agent" Enter; echo "tmux=$?"', "open");
    expect(result.output).toMatch(/no server running|error connecting|tmux=1/);
  });

  it("cannot outlive its time limit by printing prompt markers and ignoring Ctrl-C: its pane is taken back", async () => {
    const marker = join(swarm.home, `still-running-${Date.now()}`);
    const task = [
      // Ctrl-C also ends tee, the task's stdout: it writes to its terminal, the pane, itself.
      "trap '' INT PIPE",
      "exec > /dev/tty 2>&1",
      // Forges the shell's prompt (with and without a made-up nonce) over and over while it runs on.
      `for i in $(seq 1 100); do printf '\\e]7777;ca;prompt\\a\\e]7777;ca;prompt;%s\\a' "$RANDOM"; sleep 0.1; done`,
      `touch ${marker}`,
    ].join("\n");
    const held = await run(task, "holder");
    expect(held).toMatchObject({ status: "timeout", reason: expect.stringMatching(/ignored Ctrl-C, so its session was restarted/) });
    // The pane was taken back: the next task runs at once in a fresh shell, and the forger is gone.
    const next = await run("echo next", "holder");
    expect(next).toMatchObject({ status: "completed", output: "next\n" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(() => readFileSync(marker)).toThrow();
  });
});
