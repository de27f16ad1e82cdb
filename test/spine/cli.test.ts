/**
 * The command line against a running swarm, as a user or a script meets it:
 * exit codes of submit/result/cancel, the documented `--json` shapes, status,
 * logs, and clear errors for what does not exist. Through the built CLI.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { expectExit, json, RESULT_FIELDS, runCliAsync, STACK_LINE } from "../fixtures/spine/support.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

describe("the CLI against a running swarm", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  /** The CLI in this swarm's home, without blocking: the tests of this group run at the same time. */
  const cli = (args: readonly string[]) => runCliAsync(args, { home: swarm.home });

  describe.concurrent("submit, cancel and result, each on its own (run concurrently)", () => {
    it("submit to an unknown agent exits 2 and lists the swarm's agents", async () => {
      const result = await cli(["submit", "--task", "echo hi", "--agent", "gamma"]);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain('unknown agent "gamma"');
      expect(result.stderr).toMatch(/alpha, beta/);
      expect(result.stderr).not.toMatch(STACK_LINE);
    });

    it("submit without --task, or with a bad --timeout, exits 2 with a usage message", async () => {
      const missing = await cli(["submit"]);
      expect(missing.exitCode, missing.stderr).toBe(2);
      expect(missing.stderr).toMatch(/--task is required/);
      const badTimeout = await cli(["submit", "--task", "true", "--timeout", "soon"]);
      expect(badTimeout.exitCode, badTimeout.stderr).toBe(2);
      expect(badTimeout.stderr).toMatch(/--timeout/);
    });

    it("submit --wait exits 0 for a completed task and prints its output", async () => {
      const result = await cli(["submit", "--task", "echo waited", "--agent", "alpha", "--wait"]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^task \S+: completed · exit 0 · agent alpha \(alpha-\d\)/m);
      expect(result.stdout).toContain("waited");
    });

    it("submit --wait exits 1 for a failed task", async () => {
      const result = await cli(["submit", "--task", "echo nope; exit 9", "--agent", "alpha", "--wait", "--json"]);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(json(result)).toMatchObject({ status: "failed", exitCode: 9, output: "nope\n" });
    });

    it("submit --wait exits 1 for a task that hits its --timeout", async () => {
      const result = await cli(["submit", "--task", "sleep 20", "--agent", "alpha", "--timeout", "1", "--wait", "--json"]);
      expect(result.exitCode, result.stderr).toBe(1);
      const outcome = json(result);
      expect(outcome).toMatchObject({ status: "timeout", exitCode: null });
      expect(outcome.reason).toMatch(/time limit of 1s/);
    });

    it("submit --wait exits 1 for a task cancelled while it runs, and cancel reports it", async () => {
      const waiting = runCliAsync(["submit", "--task", "sleep 30 # cli-cancel", "--agent", "beta", "--wait", "--json"], { home: swarm.home });
      const id = await waitFor("the task to run", async () => {
        for (const taskId of await clientInternals(client.client).ledger.list(20)) {
          const record = await clientInternals(client.client).ledger.get(taskId);
          if (record?.task === "sleep 30 # cli-cancel" && record.status === "running") return taskId;
        }
        return null;
      });
      const cancel = await cli(["cancel", id]);
      expect(cancel.exitCode, cancel.stderr).toBe(0);
      expect(cancel.stdout).toBe(`task ${id} cancelled\n`);
      const result = await waiting;
      expect(result.exitCode, result.stderr).toBe(1);
      expect(json(result)).toMatchObject({ id, status: "cancelled" });
      const again = json(await cli(["cancel", id, "--json"]));
      expect(again).toEqual({ id, cancelled: false, status: "cancelled" });
    });

    it("submit --wait --json prints exactly the documented result fields", async () => {
      const result = await cli(["submit", "--task", "printf 'a\\nb\\n'", "--agent", "beta", "--wait", "--json"]);
      expect(result.exitCode, result.stderr).toBe(0);
      const outcome = json(result);
      expect(Object.keys(outcome).sort()).toEqual([...RESULT_FIELDS].sort());
      expect(outcome).toMatchObject({ agent: "beta", session: "beta-1", status: "completed", exitCode: 0, output: "a\nb\n", attempts: 1 });
      expect(outcome.id).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
      expect(readFileSync(outcome.outputFile, "utf8")).toBe("a\nb\n");
      for (const field of ["submittedAt", "startedAt", "finishedAt"]) expect(new Date(outcome[field]).toISOString()).toBe(outcome[field]);
      expect(Date.parse(outcome.submittedAt)).toBeLessThanOrEqual(Date.parse(outcome.startedAt));
      expect(Date.parse(outcome.startedAt)).toBeLessThanOrEqual(Date.parse(outcome.finishedAt));
      expect(outcome.durationMs).toBe(Date.parse(outcome.finishedAt) - Date.parse(outcome.startedAt));
    });

    it("submit --json without --wait prints the new task's id, agent and route at once", async () => {
      const result = await cli(["submit", "--task", "run the tests", "--json"]);
      expect(result.exitCode, result.stderr).toBe(0);
      const submitted = json(result);
      expect(submitted).toEqual({ id: expect.stringMatching(/^[a-z0-9]+-[a-z0-9]+$/), agent: "beta", routedBy: "keywords: tests", created: true });
    });
  });

  it("submit without --wait prints only the id; result ID shows the result, as text and as JSON", async () => {
    const submitted = swarm.cli(["submit", "--task", "echo from-result; echo warn >&2", "--agent", "alpha"]);
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();
    expect(id).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
    const waited = swarm.cli(["result", id, "--wait"]);
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.stdout).toMatch(new RegExp(`^task ${id}: completed · exit 0 · agent alpha`, "m"));
    expect(waited.stdout).toContain("from-result\nwarn");
    expect(waited.stdout).toContain("full output: ");
    const asJson = json(swarm.cli(["result", id, "--json"]));
    expect(asJson).toMatchObject({ id, status: "completed", output: "from-result\nwarn\n" });
    expect(Object.keys(asJson).sort()).toEqual([...RESULT_FIELDS].sort());
    const failed = await client.submit({ task: "exit 2", agent: "alpha" });
    await failed.result();
    expectExit(swarm.cli(["result", failed.id]), 1);
  });

  it("result piped into a reader that stops early (`| head -1`) ends quietly, without a stack trace", async () => {
    const big = await client.submit({ task: "seq 1 100000", agent: "alpha" });
    await big.result();
    const piped = spawnSync("bash", ["-c", `node "$CLI" result ${big.id} | head -1`], {
      env: { ...process.env, CLI, CLAUDE_AGENT_HOME: swarm.home },
      encoding: "utf8",
    });
    expect(piped.stdout).toMatch(/^task \S+: completed/);
    expect(piped.stderr).not.toMatch(STACK_LINE);
    expect(piped.stderr).not.toContain("EPIPE");
  });

  it("result of an unknown id exits 2", () => {
    const result = swarm.cli(["result", "zzzz-nothing"]);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain("no task with id zzzz-nothing");
  });

  it("submit with an idempotency key prints the same id twice and says so", () => {
    const first = swarm.cli(["submit", "--task", "echo once", "--agent", "alpha", "--idempotency-key", "cli-key-1"]);
    const second = swarm.cli(["submit", "--task", "echo once", "--agent", "alpha", "--idempotency-key", "cli-key-1"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain("idempotency key already used");
  });

  it("status --json lists every agent with its sessions, queue depths and a live daemon", async () => {
    const quiet = await waitFor("all sessions idle", async () => {
      const snapshot = json(swarm.cli(["status", "--json"]));
      // BullMQ marks a job completed a moment after its result is recorded: wait for both.
      const settled = snapshot.agents.every((a: { queue: { active: number } }) => a.queue.active === 0);
      return settled && snapshot.sessions.every((s: { state: string }) => s.state === "idle") ? snapshot : null;
    });
    expect(quiet.daemon).toMatchObject({ alive: true, pid: swarm.daemon!.pid });
    expect(quiet.agents.map((agent: { name: string; replicas: number }) => [agent.name, agent.replicas])).toEqual([
      ["alpha", 2],
      ["beta", 1],
    ]);
    expect(quiet.sessions.map((session: { name: string }) => session.name)).toEqual(["alpha-1", "alpha-2", "beta-1"]);
    for (const agent of quiet.agents) {
      expect(agent.queue).toMatchObject({ agent: agent.name, waiting: 0, active: 0 });
      for (const session of agent.sessions) expect(session).toMatchObject({ agent: agent.name, state: "idle", currentTask: null });
    }
    const onlyBeta = json(swarm.cli(["status", "--json", "--agent", "beta"]));
    expect(onlyBeta.agents.map((agent: { name: string }) => agent.name)).toEqual(["beta"]);
    const text = swarm.cli(["status"]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^swarm: running \(pid \d+\)/);
    expect(text.stdout).toMatch(/^alpha-2\s+shell\s+idle/m);
    expectExit(swarm.cli(["status", "--agent", "nobody"]), 2);
  });

  it("logs shows a task's submitted, started and completed events, and filters by agent", async () => {
    const task = await client.submit({ task: "echo for-logs", agent: "beta" });
    await task.result();
    const logs = swarm.cli(["logs", "-n", "200"]);
    expect(logs.exitCode, logs.stderr).toBe(0);
    const lines = logs.stdout.split("\n").filter((line) => line.includes(task.id));
    expect(lines.map((line) => line.split(/\s+/)[1])).toEqual(["task.submitted", "task.started", "task.completed"]);
    expect(lines[2]).toMatch(/beta\s+beta-1/);
    const asJson = swarm
      .cli(["logs", "beta", "--json", "-n", "200"])
      .stdout.trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(asJson.every((event: { agent?: string }) => event.agent === "beta")).toBe(true);
    expect(asJson.filter((event: { taskId?: string }) => event.taskId === task.id).map((event: { type: string }) => event.type)).toEqual([
      "task.submitted",
      "task.started",
      "task.completed",
    ]);
  });
});
