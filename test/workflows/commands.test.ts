/**
 * The workflow commands as a user meets them, through the built CLI against a
 * real swarm: validate (every problem, cycles with their path), approvals,
 * monitor, list/show/cancel, the events in `logs`, exit codes, and the SDK.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../index.js";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient, type ExecutionState } from "../../workflows/index.js";
import { startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, json, runToEnd, spawnCli, stateUntil, statuses, workflowFile } from "./support.js";
import { waitFor } from "../helpers/wait.js";

const AGENTS = `
agents:
  - name: alpha
    runtime: shell
    replicas: 2
    timeout: 60
  - name: beta
    runtime: shell
    replicas: 1
    timeout: 60
default_agent: alpha
`;

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe("workflow commands", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let workflows: WorkflowClient;
  let dir: string;
  beforeAll(async () => {
    swarm = await startTestSwarm(AGENTS);
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
    dir = mkdtempSync(join(tmpdir(), "ca-wfc-"));
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: readonly string[]) => cli(swarm.home, args);

  describe.concurrent("validation", () => {
    it("validate lists every problem with its path, a cycle with its steps in order, and exits 2", async () => {
      const file = workflowFile(
        dir,
        `
name: broken
steps:
  - id: a
    agent: alpha
    depends_on: c
    task: echo a
  - id: b
    agent: alpha
    depends_on: a
    task: echo b
  - id: c
    agent: nobody
    depends_on: b
    task: echo {{steps.zzz.output}}
  - id: d
    agent: beta
    task: echo d
    retries: lots
`,
      );
      const result = await run(["workflow", "validate", file]);
      expectExit(result, 2);
      expect(result.stderr).toContain(`${file}: 4 problems`);
      expect(result.stderr).toContain(`${file}: steps.0.depends_on: dependency cycle a → b → c → a`);
      expect(result.stderr).toContain(`${file}: steps.2.agent: unknown agent "nobody" (known: alpha, beta)`);
      expect(result.stderr).toMatch(/steps\.2\.task: unknown step "zzz"/);
      expect(result.stderr).toMatch(/steps\.3\.retries: /);
      expect(result.stderr).not.toMatch(STACK_LINE);
      const asJson = json(await run(["workflow", "validate", file, "--json"]));
      expect(asJson).toMatchObject({ valid: false, agentsCheckedAgainst: `the running swarm (${swarm.home})` });
      expect(asJson.problems).toHaveLength(4);
    });

    it("run refuses an invalid workflow (exit 2) and bad params (exit 2), and starts nothing", async () => {
      const cycle = workflowFile(dir, {
        name: "cycle",
        steps: [
          { id: "x", agent: "alpha", depends_on: "y", task: "true" },
          { id: "y", agent: "alpha", depends_on: "x", task: "true" },
        ],
      });
      const before = (await workflows.list()).length;
      const invalid = await run(["workflow", "run", "--file", cycle]);
      expectExit(invalid, 2);
      expect(invalid.stderr).toContain(`${cycle}: steps.0.depends_on: dependency cycle x → y → x`);
      const typed = workflowFile(dir, {
        name: "typed",
        params: { env: { required: true } },
        steps: [{ id: "x", agent: "alpha", task: "echo {{params.env}}" }],
      });
      const missing = await run(["workflow", "run", "--file", typed, "--params", "colour=red"]);
      expectExit(missing, 2);
      expect(missing.stderr).toMatch(/unknown param "colour".*missing required param "env"/);
      const malformed = await run(["workflow", "run", "--file", typed, "--params", "env"]);
      expectExit(malformed, 2);
      expect(malformed.stderr).toContain('--params: expected name=value, got "env"');
      const nofile = await run(["workflow", "run", "--file", join(dir, "missing.yaml")]);
      expectExit(nofile, 2);
      expect(nofile.stderr).toMatch(/cannot read workflow file .*missing\.yaml: no such file/);
      expect((await workflows.list()).length).toBe(before);
    });

    it("validate without a running swarm checks agents against ./swarm.yaml, or says it could not", async () => {
      const home = tempHome();
      const project = mkdtempSync(join(tmpdir(), "ca-wfp-"));
      try {
        const file = workflowFile(project, { name: "v", steps: [{ id: "x", agent: "gamma", task: "true" }] });
        const unchecked = await cli(home, ["workflow", "validate", file], { cwd: project });
        expectExit(unchecked, 0);
        expect(unchecked.stderr).toMatch(/warning: agent names not checked: no running swarm, and no swarm.yaml/);
        expect(unchecked.stdout).toContain("agent names NOT checked");
        writeFileSync(join(project, "swarm.yaml"), AGENTS);
        const checked = await cli(home, ["workflow", "validate", file], { cwd: project });
        expectExit(checked, 2);
        expect(checked.stderr).toContain('steps.0.agent: unknown agent "gamma" (known: alpha, beta)');
      } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(project, { recursive: true, force: true });
      }
    });

    it("commands against a home where no swarm runs exit 3; unknown executions exit 2", async () => {
      const home = tempHome();
      try {
        for (const args of [
          ["workflow", "run", "--file", "x.yaml"],
          ["monitor", "--execution-id", "x"],
        ]) {
          const result = await cli(home, args);
          expectExit(result, 3);
          expect(result.stderr).toMatch(/the swarm is not running/);
        }
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
      for (const args of [
        ["workflow", "show", "nope"],
        ["monitor", "--execution-id", "nope"],
        ["approve", "nope", "x"],
      ]) {
        const result = await run(args);
        expectExit(result, 2);
        expect(result.stderr).toContain('no workflow execution "nope"');
      }
      // `monitor` without an id follows the latest execution (test/cli/command-shapes.test.ts).
    });

    it("every workflow command has --help", async () => {
      for (const args of [
        ["workflow", "--help"],
        ["workflow", "run", "--help"],
        ["monitor", "--help"],
        ["reject", "--help"],
      ]) {
        const result = await run(args);
        expectExit(result, 0);
        expect(result.stdout).toMatch(/^Usage: claude-agent /);
      }
    });
  });

  describe("approvals and the life of an execution", () => {
    const gated = () =>
      workflowFile(
        dir,
        `
name: gated
params:
  target: { default: staging }
steps:
  - id: build
    agent: alpha
    task: echo artifact-1
  - id: ok
    depends_on: build
    approval: "Ship {{steps.build.output}} to {{params.target}}?"
  - id: ship
    agent: beta
    depends_on: ok
    task: echo shipped {{steps.build.output}}
`,
      );

    it("waits for approval, shows how to approve, and carries on at once after `approve`", async () => {
      const started = await run(["workflow", "run", "--file", gated(), "--params", "target=prod"]);
      expectExit(started, 0);
      const id = started.stdout.trim();
      await stateUntil(workflows, id, "the approval step", (s) => s.steps.ok?.status === "waiting-approval");
      const shown = await run(["workflow", "show", id]);
      expectExit(shown, 0);
      expect(shown.stdout).toMatch(/ok\s+waiting-approval\s+\(approval\).*Ship artifact-1 to prod\?/);
      expect(shown.stdout).toContain(`claude-agent approve ${id} ok`);
      const early = await run(["approve", id, "ship"]);
      expectExit(early, 2);
      expect(early.stderr).toContain('step "ship" is pending, not waiting for approval');
      const approved = await run(["approve", id, "ok"]);
      expectExit(approved, 0);
      expect(approved.stdout).toContain(`approved step "ok" of execution ${id}`);
      const done = await stateUntil(workflows, id, "the end", (s) => s.status !== "running");
      expect(statuses(done)).toEqual({ build: "completed", ok: "completed", ship: "completed" });
      expect(done.steps.ship?.output.trim()).toBe("shipped artifact-1");
    });

    it("`reject --reason` fails the step (its policy applies) and the execution; the reason is recorded", async () => {
      const started = await run(["workflow", "run", "--file", gated(), "--json"]);
      const { id } = json(started);
      await stateUntil(workflows, id, "the approval step", (s) => s.steps.ok?.status === "waiting-approval");
      const rejected = await run(["reject", id, "ok", "--reason", "not on a Friday"]);
      expectExit(rejected, 0);
      const done = await stateUntil(workflows, id, "the end", (s) => s.status !== "running");
      expect(done.status).toBe("failed");
      expect(done.steps.ok).toMatchObject({ status: "failed", reason: "rejected: not on a Friday" });
      expect(done.steps.ship?.status).not.toBe("completed");
      const shown = await run(["workflow", "show", id]);
      expectExit(shown, 1);
      expect(shown.stdout).toContain("rejected: not on a Friday");
    });

    it("monitor prints one line per change and ends with the execution (exit 1 when it failed); --json streams objects", async () => {
      const file = workflowFile(dir, {
        name: "watched",
        steps: [
          { id: "hold", approval: "go?" },
          { id: "one", agent: "alpha", depends_on: "hold", task: "echo one" },
          { id: "two", agent: "beta", depends_on: "one", task: "echo two; exit 5" },
        ],
      });
      const id = (await run(["workflow", "run", "--file", file])).stdout.trim();
      await stateUntil(workflows, id, "the approval step", (s) => s.steps.hold?.status === "waiting-approval");
      const plain = spawnCli(swarm.home, ["monitor", "--execution-id", id]);
      const lines = spawnCli(swarm.home, ["monitor", id, "--json"]);
      // Both are watching (they printed the execution) before it moves on.
      await waitFor(
        "both monitors to show the held step",
        async () => plain.stdout().includes("step hold: waiting-approval") && lines.stdout().includes('"step":"hold"'),
      );
      await workflows.approve(id, "hold");
      const [plainResult, jsonResult] = await Promise.all([plain.done, lines.done]);
      expectExit(plainResult, 1);
      expect(plainResult.stdout).toMatch(new RegExp(`execution ${id}: workflow watched, 3 steps, running`));
      expect(plainResult.stdout).toMatch(
        new RegExp(`step hold: waiting-approval \\(approve: claude-agent answer i-[a-z0-9]{6} approve \\(or claude-agent approve ${id} hold\\)\\)`),
      );
      expect(plainResult.stdout).toMatch(/step one: completed \(agent alpha, task \S+, exit 0\)/);
      expect(plainResult.stdout).toMatch(/step two: failed \(agent beta, task \S+, exit 5, task failed \(exit 5\)\)/);
      expect(plainResult.stdout.trim().split("\n").at(-1)).toMatch(new RegExp(`execution ${id}: failed \\(step "two" failed: task failed \\(exit 5\\)\\)$`));
      expectExit(jsonResult, 1);
      const objects = jsonResult.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(objects[0]).toMatchObject({ type: "execution", executionId: id, status: "running" });
      expect(objects[1]).toMatchObject({ type: "step", step: "hold", status: "waiting-approval" });
      expect(objects.at(-1)).toMatchObject({ type: "execution", executionId: id, status: "failed" });
      expect(objects.filter((o) => o.type === "step" && o.step === "two").at(-1)).toMatchObject({ status: "failed", exitCode: 5, agent: "beta" });
    });

    it("workflow run --wait shows each step's state on stderr as it changes, with the command that answers an approval, then the table on stdout", async () => {
      const file = workflowFile(dir, {
        name: "waited",
        steps: [
          { id: "build", agent: "alpha", task: "echo built" },
          { id: "hold", approval: "ship it?", depends_on: "build" },
          { id: "ship", agent: "beta", depends_on: "hold", task: "echo shipped" },
        ],
      });
      const waiting = spawnCli(swarm.home, ["workflow", "run", "--file", file, "--wait"]);
      const stderr = () => waiting.stderrBytes().toString("utf8");
      const asked = await waitFor("the approval's answer command on stderr", () =>
        /step hold: waiting-approval \(approve: claude-agent answer (i-[a-z0-9]{6}) approve/.exec(stderr()),
      );
      expect(stderr()).toMatch(/step build: completed \(agent alpha, task \S+, exit 0\)/);
      expect(waiting.stdout()).toBe(""); // nothing on stdout until the end: scripts read the table alone
      expectExit(await run(["answer", asked[1]!, "approve"]), 0);
      const done = await waiting.done;
      expectExit(done, 0);
      expect(done.stderr).toMatch(/step ship: completed \(agent beta, task \S+, exit 0\)/);
      expect(done.stdout).toMatch(/ship\s+completed/);
      expect(done.stdout).not.toContain("step hold:");
    });

    it("workflow cancel stops the execution and the task of its running step; list and show say so", async () => {
      const file = workflowFile(dir, {
        name: "long",
        steps: [
          { id: "wait", agent: "beta", task: "sleep 60" },
          { id: "after", agent: "alpha", depends_on: "wait", task: "true" },
        ],
      });
      const id = (await run(["workflow", "run", "--file", file])).stdout.trim();
      const running = await stateUntil(workflows, id, "the task", (s) => s.steps.wait?.taskId !== null);
      await waitFor("the step's task to run", async () => (await client.client.get(running.steps.wait!.taskId!)).status === "running");
      const cancelled = await run(["workflow", "cancel", id]);
      expectExit(cancelled, 0);
      expect(cancelled.stdout).toBe(`execution ${id} cancelled\n`);
      const again = await run(["workflow", "cancel", id, "--json"]);
      expect(json(again)).toEqual({ id, cancelled: false, status: "cancelled" });
      await waitFor("the step's task to be cancelled", async () => (await client.client.get(running.steps.wait!.taskId!)).status === "cancelled");
      const state = await workflows.get(id);
      expect(statuses(state)).toEqual({ wait: "cancelled", after: "cancelled" });
      const list = await run(["workflow", "list"]);
      expectExit(list, 0);
      expect(list.stdout).toMatch(new RegExp(`^${id}\\s+long\\s+cancelled\\s+0/2`, "m"));
      const listed = json(await run(["workflow", "list", "--json"])) as Array<{ id: string; status: string }>;
      expect(listed.find((e) => e.id === id)).toMatchObject({ status: "cancelled", steps: { wait: "cancelled" } });
    });

    it("puts workflow and step events on the swarm's event stream, which `logs` shows", async () => {
      const file = workflowFile(dir, { name: "logged", steps: [{ id: "only", agent: "alpha", task: "echo hi" }] });
      const state = await runToEnd(swarm.home, file);
      const events = (await run(["logs", "-n", "500", "--json"])).stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const mine = events.filter((e) => e.executionId === state.id);
      // workflow.requested is the client's record of who asked (the audit trail); the daemon's events follow.
      expect(mine.map((e) => e.type)).toEqual(["workflow.requested", "workflow.started", "step.started", "step.completed", "workflow.completed"]);
      expect(mine[0]).toMatchObject({ workflow: "logged", via: "cli" });
      expect(mine[3]).toMatchObject({ workflow: "logged", step: "only", taskId: state.steps.only!.taskId, exitCode: "0" });
      const text = await run(["logs", "-n", "500"]);
      expect(text.stdout).toContain(`logged/only completed: exit 0 · execution ${state.id}`);
    });
  });

  it("SDK: connect() from the package root runs a workflow given as an object or a file", async () => {
    const sdk = await connect({ home: swarm.home });
    try {
      const run1 = await sdk.runWorkflow(
        { name: "sdk", params: { n: { default: 1 } }, steps: [{ id: "double", agent: "alpha", task: "expr {{params.n}} \\* 2" }] },
        { n: 21 },
      );
      const final: ExecutionState = await run1.result();
      expect(final).toMatchObject({ id: run1.id, status: "completed", params: { n: "21" } });
      expect(final.steps.double?.output.trim()).toBe("42");
      const file = workflowFile(dir, { name: "sdk-file", steps: [{ id: "x", agent: "beta", task: "echo from-file" }] });
      const run2 = await sdk.runWorkflow(file);
      expect((await run2.result()).steps.x?.output.trim()).toBe("from-file");
      await expect(sdk.runWorkflow({ name: "bad", steps: [{ id: "x", agent: "nobody", task: "true" }] })).rejects.toThrow(/unknown agent "nobody"/);
      const task = await (await sdk.submit({ task: "echo still a swarm", agent: "alpha" })).result();
      expect(task.status).toBe("completed");
    } finally {
      await sdk.close();
    }
  });
});
