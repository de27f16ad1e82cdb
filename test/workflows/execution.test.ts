/**
 * Workflow executions run by a real swarm's daemon (redis-server + tmux shell
 * agents), started through the built CLI: parallel branches that really
 * overlap, fan-out/fan-in, templates, `when`, failure policies, retries, gates.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { SHELL_AGENTS, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { runToEnd, stateUntil, statuses, workflowFile } from "./support.js";

/**
 * A branch task that prints its start time (ms), marks itself started in `meeting`, waits (up to
 * 30 s) until every branch in `all` has started, then prints its end time, `label` and whether they
 * all met. All of them meeting proves they ran at the same time, whatever the machine's load: a
 * sleep of fixed length would prove it only when dispatch is faster than the sleep.
 */
const MEETING = (meeting: string, me: string, all: readonly string[], label = ""): string => {
  const everyone = all.map((name) => `[ -e ${meeting}/${name} ]`).join(" && ");
  return `echo "$(date +%s%3N)"; mkdir -p ${meeting} && touch ${meeting}/${me}; for i in $(seq 300); do ${everyone} && break; sleep 0.1; done; if ${everyone}; then m=met; else m=alone; fi; echo "$(date +%s%3N) ${label} $m"`;
};

function times(output: string): { start: number; end: number } {
  const [start, end] = output
    .trim()
    .split("\n")
    .map((line) => Number(line.split(" ")[0]));
  return { start: start ?? NaN, end: end ?? NaN };
}

describe("workflow executions on a real swarm", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let workflows: WorkflowClient;
  let dir: string;
  beforeAll(async () => {
    swarm = await startTestSwarm(SHELL_AGENTS);
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
    dir = mkdtempSync(join(tmpdir(), "ca-wfx-"));
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("parallel branches (each alone on the swarm, so the timing means something)", () => {
    it("runs two independent steps at the same time, on different agents", async () => {
      const meeting = join(dir, "overlap");
      const file = workflowFile(dir, {
        name: "overlap",
        steps: [
          { id: "a", agent: "alpha", task: MEETING(meeting, "a", ["a", "b"]) },
          { id: "b", agent: "beta", task: MEETING(meeting, "b", ["a", "b"]) },
        ],
      });
      const state = await runToEnd(swarm.home, file);
      expect(statuses(state)).toEqual({ a: "completed", b: "completed" });
      expect([state.steps.a?.agent, state.steps.b?.agent]).toEqual(["alpha", "beta"]);
      // Each saw the other start before it ended.
      expect(state.steps.a!.output.trim().split("\n")[1]).toMatch(/ met$/);
      expect(state.steps.b!.output.trim().split("\n")[1]).toMatch(/ met$/);
    });

    it("fans out after one step and joins the branches' outputs in the next", async () => {
      const meeting = join(dir, "fan");
      const branch = (id: string, n: number): string => JSON.stringify(MEETING(meeting, id, ["f1", "f2", "f3"], `{{steps.root.output}}-${n}`));
      const file = workflowFile(
        dir,
        `
name: fan
steps:
  - id: root
    agent: alpha
    task: echo seed
  - { id: f1, agent: alpha, depends_on: root, task: ${branch("f1", 1)} }
  - { id: f2, agent: alpha, depends_on: root, task: ${branch("f2", 2)} }
  - { id: f3, agent: beta, depends_on: root, task: ${branch("f3", 3)} }
  - id: join
    agent: beta
    depends_on: [f1, f2, f3]
    task: echo "$(date +%s%3N)"; printf '%s\\n' "{{steps.f1.output}}" "{{steps.f2.output}}" "{{steps.f3.output}}" | grep -o 'seed-.' | paste -sd+
`,
      );
      const state = await runToEnd(swarm.home, file);
      expect(state.status).toBe("completed");
      const branches = ["f1", "f2", "f3"].map((id) => times(state.steps[id]!.output));
      // The three branches ran at the same time: each saw the other two start before it ended.
      for (const id of ["f1", "f2", "f3"]) expect(state.steps[id]!.output.trim().split("\n")[1]).toMatch(/ met$/);
      const [joinStart, joined] = state.steps.join!.output.trim().split("\n");
      expect(Number(joinStart)).toBeGreaterThanOrEqual(Math.max(...branches.map((t) => t.end)));
      expect(joined).toBe("seed-1+seed-2+seed-3");
      expect(state.completionOrder.at(-1)).toBe("join");
    });
  });

  describe.concurrent("data flow, conditions, failures (concurrently)", () => {
    it("gives a shell step params and a previous step's output and exit code as variables its task refers to", async () => {
      const file = workflowFile(
        dir,
        `
name: templating
params:
  base: { required: true }
  label: { default: result }
steps:
  - id: one
    agent: alpha
    task: expr {{params.base}} \\* 2
  - id: two
    agent: beta
    depends_on: one
    task: echo "{{params.label}}=$(expr {{steps.one.output}} + 1) exit={{steps.one.exitCode}}"
`,
      );
      const state = await runToEnd(swarm.home, file, ["base=20"]);
      expect(state.params).toEqual({ base: "20", label: "result" });
      expect(state.steps.two?.task).toBe('echo "${CA_PARAM_LABEL?}=$(expr "${CA_STEP_ONE_OUTPUT?}" + 1) exit=${CA_STEP_ONE_EXITCODE?}"');
      expect(state.steps.two?.output.trim()).toBe("result=41 exit=0");
      const task = await client.client.get(state.steps.two!.taskId!);
      expect(task.env).toEqual({ CA_PARAM_LABEL: "result", CA_STEP_ONE_OUTPUT: "40", CA_STEP_ONE_EXITCODE: "0" });
    });

    it("skips a step whose `when` is false, runs one whose `when` holds, and dependents of a skipped step still run", async () => {
      const file = workflowFile(
        dir,
        `
name: conditions
params:
  env: { default: dev }
steps:
  - id: detect
    agent: alpha
    task: echo prod
  - id: deploy
    agent: alpha
    depends_on: detect
    when: "{{steps.detect.output}} == prod"
    task: echo deployed
  - id: prod_only
    agent: beta
    when: "{{params.env}} == 'prod'"
    task: echo should not run
  - id: after
    agent: beta
    depends_on: prod_only
    task: echo after
`,
      );
      const state = await runToEnd(swarm.home, file);
      expect(statuses(state)).toEqual({ detect: "completed", deploy: "completed", prod_only: "skipped", after: "completed" });
      expect(state.steps.prod_only).toMatchObject({ skip: "condition", taskId: null });
      expect(state.steps.deploy?.output.trim()).toBe("deployed");
      const prod = await runToEnd(swarm.home, file, ["env=prod"]);
      expect(prod.steps.prod_only?.status).toBe("completed");
    });

    it("on_failure rollback: stops, then runs the rollbacks of completed steps newest first", async () => {
      const log = join(dir, "rollback.log");
      const file = workflowFile(
        dir,
        `
name: rollback
steps:
  - id: prepare
    agent: alpha
    task: echo prepare >> ${log}
    rollback: { task: echo undo-prepare >> ${log} }
  - id: migrate
    agent: beta
    depends_on: prepare
    task: echo migrate >> ${log}
    rollback: { task: echo undo-migrate >> ${log} }
  - id: release
    agent: alpha
    depends_on: migrate
    on_failure: rollback
    task: echo release >> ${log}; exit 3
  - id: never
    agent: alpha
    depends_on: release
    task: echo never >> ${log}
`,
      );
      const state = await runToEnd(swarm.home, file);
      expect(state.status).toBe("failed");
      expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["prepare", "migrate", "release", "undo-migrate", "undo-prepare"]);
      expect(state.steps.release).toMatchObject({ status: "failed", exitCode: 3 });
      expect(state.steps.migrate?.rollback).toMatchObject({ status: "completed" });
      expect(state.steps.migrate?.rollback?.taskId).toBeTruthy();
      expect(state.steps.never?.status).not.toBe("completed");
      expect(state.reason).toMatch(/step "release" failed.*rolled back migrate, prepare/);
    });

    it("on_failure fail (the default): stops at once and cancels the sibling still running, task included", async () => {
      const file = workflowFile(dir, {
        name: "fail-fast",
        steps: [
          { id: "broken", agent: "alpha", task: "sleep 0.5; exit 2" },
          { id: "slow", agent: "beta", task: "sleep 300" },
          { id: "later", agent: "alpha", depends_on: "broken", task: "echo later" },
        ],
      });
      const started = Date.now();
      const state = await runToEnd(swarm.home, file);
      expect(Date.now() - started).toBeLessThan(45_000); // not the 300 s of "slow"
      expect(statuses(state)).toMatchObject({ broken: "failed", slow: "cancelled" });
      expect(state.steps.later?.status).not.toBe("completed");
      expect(state.reason).toMatch(/step "broken" failed: task failed \(exit 2\)/);
      const taskId = state.steps.slow!.taskId!;
      const task = await stateOf(client, taskId, (status) => status === "cancelled");
      expect(task).toBe("cancelled");
    });

    it("on_failure continue with retries: a flaky step succeeds on its second attempt, a failed optional one only skips its dependents", async () => {
      const flag = join(dir, "flaky.flag");
      const file = workflowFile(
        dir,
        `
name: keep-going
steps:
  - id: flaky
    agent: alpha
    retries: 2
    task: if [ -f ${flag} ]; then echo second try; else touch ${flag}; echo first try; exit 1; fi
  - id: optional
    agent: beta
    on_failure: continue
    task: echo optional broke; exit 4
  - id: needs_optional
    agent: beta
    depends_on: optional
    task: echo unreachable
  - id: independent
    agent: alpha
    depends_on: flaky
    task: echo independent
`,
      );
      const state = await runToEnd(swarm.home, file);
      expect(statuses(state)).toEqual({ flaky: "completed", optional: "failed", needs_optional: "skipped", independent: "completed" });
      expect(state.steps.flaky).toMatchObject({ attempts: 2, exitCode: 0 });
      expect(state.steps.flaky?.output.trim()).toBe("second try");
      expect(state.steps.needs_optional).toMatchObject({ skip: "upstream" });
      expect(state.status).toBe("failed");
      expect(state.reason).toBe('step "optional" failed');
    });

    it("runs a step's gate as a task on the agent that ran the step; a failing gate fails the step", async () => {
      const out = join(dir, "gate.txt");
      const file = workflowFile(
        dir,
        `
name: gates
steps:
  - id: build
    agent: beta
    task: echo built > ${out}; echo ${out}
    gate: test -s "{{steps.build.output}}"
  - id: strict
    agent: alpha
    # After build: its gate reads the file build writes (before it, grep found no file and exited 2, not 1).
    depends_on: [build]
    on_failure: continue
    task: echo ok
    gate: grep -q never-there ${out}
`,
      );
      const state = await runToEnd(swarm.home, file);
      expect(state.steps.build).toMatchObject({ status: "completed", agent: "beta" });
      expect(state.steps.build?.gate).toMatchObject({ status: "completed", exitCode: 0 });
      const gateTask = await client.client.get(state.steps.build!.gate!.taskId!);
      expect(gateTask).toMatchObject({ agent: "beta", task: 'test -s "${CA_STEP_BUILD_OUTPUT?}"', env: { CA_STEP_BUILD_OUTPUT: out }, status: "completed" });
      expect(state.steps.strict).toMatchObject({ status: "failed" });
      expect(state.steps.strict?.reason).toMatch(/gate "grep -q never-there .*" failed \(exit 1\)/);
    });

    it("routes a step with `route` through the supervisor's keyword router", async () => {
      const file = workflowFile(dir, {
        name: "routing",
        steps: [
          { id: "tests", route: "run the tests", task: "echo routed" },
          { id: "fallback", route: "something nobody claims", task: "echo default" },
        ],
      });
      const state = await runToEnd(swarm.home, file);
      expect(state.steps.tests).toMatchObject({ status: "completed", agent: "beta" });
      expect(state.steps.fallback).toMatchObject({ status: "completed", agent: "alpha" });
    });
  });

  it("records every step's task id while it runs, so the execution can be followed task by task", async () => {
    const file = workflowFile(dir, { name: "ids", steps: [{ id: "wait", agent: "alpha", task: "sleep 1; echo done" }] });
    const state = await workflows.start(workflows.load(file));
    const running = await stateUntil(workflows, state.id, "the task id", (s) => s.steps.wait?.taskId !== null);
    const task = await client.client.get(running.steps.wait!.taskId!);
    expect(task).toMatchObject({ agent: "alpha", idempotencyKey: `wf:${state.id}:wait:step:1` });
    expect((await workflows.wait(state.id)).status).toBe("completed");
  });
});

async function stateOf(client: Swarm, taskId: string, done: (status: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  let status = "";
  while (Date.now() < deadline) {
    status = (await client.client.get(taskId)).status;
    if (done(status)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  return status;
}
