/**
 * Delivery: whatever text a task holds, a shell agent runs it exactly as
 * `bash -c TEXT` would, with stdout and stderr merged on one descriptor.
 * Each case runs the text twice, once through the swarm (tmux pane, claim
 * file, markers, tee) and once with a plain `bash -c` in the agent's cwd, and
 * compares exit codes, the raw bytes of the task's output file, and the
 * result's `output` (which, as documented, has ANSI sequences stripped and
 * CRLF turned into LF: the same normalisation is applied to the expected side).
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripAnsi, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { BIG_HEREDOC, bashC, CORPUS, HUNDRED_KB_ECHOES } from "../fixtures/spine/corpus.js";

const YAML = `
agents:
  - name: sh
    runtime: shell
    replicas: 2
    timeout: 60
default_agent: sh
`;

describe("delivery of a task's text to a shell agent", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  async function run(text: string): Promise<TaskResult> {
    const task = await client.submit({ task: text, agent: "sh" });
    return task.result();
  }

  for (const [name, text] of CORPUS) {
    it(`runs ${name} exactly as bash -c does (exit code, output file bytes, output after ANSI/CRLF normalisation)`, async () => {
      const expected = bashC(text, swarm.home);
      const result = await run(text);
      expect(result.exitCode).toBe(expected.exitCode);
      expect(result.status).toBe(expected.exitCode === 0 ? "completed" : "failed");
      expect(result.outputFile).toBeTruthy();
      const raw = readFileSync(result.outputFile!);
      expect(raw.toString("latin1")).toBe(expected.raw.toString("latin1"));
      expect(result.output).toBe(stripAnsi(expected.raw.toString("utf8")));
    });
  }

  it("is not completed by a fake end marker that carries the task's real token but not its nonce", async () => {
    // The running dispatch is the one whose claim file holds no end line yet.
    // The home is named outright: tasks get no swarm variable ($CA_HOME, $CLAUDE_AGENT_HOME) to find it by.
    const text = [
      `for claim in '${swarm.paths.jobsDir}'/*.claim; do`,
      "  token=${claim##*/}; token=${token%.claim}",
      `  grep -q '^end ' '${swarm.paths.jobsDir}'/$token.claim && continue`,
      "  printf '\\e]7777;ca;end;%s;%s;0\\a' \"$token\" not-the-nonce",
      "  printf '\\e]7777;ca;end;%s;;0\\a' \"$token\"",
      "done",
      "sleep 0.3",
      "echo still running",
      "exit 3",
    ].join("\n");
    const result = await run(text);
    expect(result).toMatchObject({ status: "failed", exitCode: 3, output: "still running\n" });
    expect(readFileSync(result.outputFile!, "latin1")).toContain(`\x1b]7777;ca;end;${result.id}-1;not-the-nonce;0\x07`);
  });

  it("saves the output through bash's own tee builtin where bash-builtins is installed: no tee process beside the task", async () => {
    // The setup installs Debian's bash-builtins; without it the pane falls back to /usr/bin/tee (agents/shell/rc.test.ts).
    expect(existsSync("/usr/lib/bash/tee")).toBe(true);
    // The pipeline is a process group of its own (the pane's shell has job control), led by the task's bash: the
    // task, the subshell saving its output, and the task's own ps and awk.
    const result = await run("ps -e -o pgid=,comm= | awk -v g=$$ '$1 == g { print $2 }'");
    expect(result.status, result.output).toBe("completed");
    expect(result.output.split("\n").filter(Boolean).sort()).toEqual(["awk", "bash", "bash", "ps"]);
  });

  it("pins the size of the large task texts used above (100 KB passed as an argument, 125 KB from a file)", () => {
    expect(Buffer.byteLength(HUNDRED_KB_ECHOES)).toBeGreaterThan(100_000);
    expect(Buffer.byteLength(HUNDRED_KB_ECHOES)).toBeLessThan(120_000);
    expect(Buffer.byteLength(BIG_HEREDOC)).toBeGreaterThan(120_000);
    expect(Buffer.byteLength(BIG_HEREDOC)).toBeLessThan(131_072);
  });

  it("keeps the first and last 64 KB of an output over 128 KB in the result, with an omission note, and all of it in outputFile", async () => {
    const text = "seq 1 70000; echo tail-marker";
    const expected = bashC(text, swarm.home);
    expect(expected.raw.length).toBeGreaterThan(128 * 1024);
    const result = await run(text);
    expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    const full = expected.raw.toString("utf8");
    const edge = 64 * 1024;
    const omitted = full.length - 2 * edge;
    expect(result.output.startsWith(full.slice(0, edge))).toBe(true);
    expect(result.output.endsWith(full.slice(-edge))).toBe(true);
    const middle = result.output.slice(edge, result.output.length - edge);
    expect(middle).toContain(`${omitted} bytes omitted`);
    expect(middle).toContain(result.outputFile!);
    expect(result.output.length).toBeLessThan(2 * edge + 500);
    expect(readFileSync(result.outputFile!).equals(expected.raw)).toBe(true);
  });

  it("keeps an output of exactly 128 KB whole, without an omission note", async () => {
    const text = "head -c 131072 /dev/zero | tr '\\0' 'z'";
    const result = await run(text);
    expect(result.status).toBe("completed");
    expect(result.output).toBe("z".repeat(131072));
  });
});
