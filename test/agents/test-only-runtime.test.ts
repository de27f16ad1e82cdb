/**
 * Adding an agent program is one folder and one registry line: "tally"
 * (test/fixtures/runtimes/tally/: its program and its adapter) is known to no
 * production file. This file registers it (registerRuntime) for the config
 * checks made here, and the daemon of a real swarm (real redis-server and
 * tmux) registers it through register.mjs, its one line, loaded with
 * `node --import`; tasks then run through the same dispatch as every program.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRuntime } from "../../agents/index.js";
import { ConfigError, parseConfig, type TaskResult } from "../../core/index.js";
import { tallyRuntime } from "../fixtures/runtimes/tally/adapter.mjs";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

const REGISTER = resolve(import.meta.dirname, "../fixtures/runtimes/tally/register.mjs");
const RESULT_WAIT_MS = 30_000;

const yaml = (cwd: string): string => `
agents:
  - name: counter
    runtime: tally
    cwd: ${cwd}
    timeout: 30
`;

const parse = (text: string) => parseConfig(text, { file: "swarm.yaml", baseDir: tmpdir() });

function configProblem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("a runtime registered by the tests alone", () => {
  it("is refused by the config until registered, then accepted and listed", () => {
    const before = configProblem(yaml(tmpdir()));
    expect(before).toContain('expected one of "shell", "claude", "codex", "gemini", "aider", "qwen", "langchain", got "tally"');

    registerRuntime(tallyRuntime);
    expect(parse(yaml(tmpdir())).agents[0]).toMatchObject({ name: "counter", runtime: "tally", mode: "headless" });
    expect(configProblem(yaml(tmpdir()).replace("runtime: tally", "runtime: tallie"))).toContain(
      'expected one of "shell", "claude", "codex", "gemini", "aider", "qwen", "langchain", "tally", got "tallie"',
    );
    // Its rules are the general ones: only Claude Code has an interactive mode.
    expect(configProblem(`${yaml(tmpdir())}    mode: interactive\n`)).toContain("the tally runtime runs headless only");
  });

  it("cannot take a name already taken, or a malformed one", () => {
    expect(() => registerRuntime({ ...tallyRuntime, name: "shell" })).toThrow(ConfigError);
    expect(() => registerRuntime({ ...tallyRuntime, name: "Bad Name" })).toThrow(/expected lowercase letters/);
  });

  describe("in a real swarm", () => {
    let swarm: TestSwarm | undefined;
    let work = "";
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "ca-tally-work-"));
      swarm = await startTestSwarm(yaml(work), { nodeArgs: ["--import", REGISTER] });
    });
    afterAll(async () => {
      await swarm?.destroy();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    async function run(task: string, options: { fresh?: boolean } = {}): Promise<TaskResult> {
      const client = await swarm!.connect();
      const handle = await client.submit({ task, agent: "counter", ...options });
      return handle.result({ signal: AbortSignal.timeout(RESULT_WAIT_MS) });
    }

    it("runs a task and records the program's structured result", async () => {
      const result = await run("count   these five words\nplease");
      expect(result).toMatchObject({ status: "completed", exitCode: 0, answer: "5 words", inputTokens: 5, outputTokens: 2, turns: 1 });
      expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    }, 40_000);

    it("continues the program's conversation on the next task, as for every program", async () => {
      const first = await run("one two three", { fresh: true });
      const next = await run("four five");
      expect(next).toMatchObject({ status: "completed", agentSessionId: first.agentSessionId });
      expect(next.answer).toBe(`2 words (5 in conversation ${first.agentSessionId})`);
    }, 40_000);

    it("fails a task with the program's own error", async () => {
      const result = await run("please [[fail]]");
      expect(result.status).toBe("failed");
      expect(result.reason).toContain("tally was asked to fail");
    }, 40_000);
  });
});
