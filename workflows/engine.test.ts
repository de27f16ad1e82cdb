import { describe, expect, it } from "vitest";
import { UsageError } from "../core/index.js";
import { defaultBackoffMs, type EngineOptions } from "./context.js";
import { createExecution, WorkflowEngine } from "./engine.js";
import { isDetached } from "./runner.js";
import { workflowFromObject } from "./parse.js";
import { MemoryExecutionStore, type ExecutionStore } from "./store.js";
import { CrashableStore } from "./testing/crashable-store.js";
import { ScriptedRunner, type Call } from "./testing/scripted-runner.js";
import type { ExecutionState, Workflow } from "./types.js";

const AGENTS = ["a1", "a2"];

function workflow(steps: unknown[], params: Record<string, unknown> = {}): Workflow {
  return workflowFromObject({ name: "wf", params, steps }, { file: "wf.yaml", agents: AGENTS });
}

/** A task step on agent a1. */
function step(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, agent: "a1", task: `run ${id}`, ...extra };
}

function setup(runner: ScriptedRunner, options: Partial<EngineOptions> = {}) {
  const store = options.store ?? new MemoryExecutionStore();
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const engine = new WorkflowEngine({
    store,
    runner,
    emit: (type, data) => events.push({ type, data }),
    backoffMs: () => 1,
    pollMs: 20,
    ...options,
  });
  const eventTypes = (): string[] => events.map((e) => (e.data.step ? `${e.type}:${String(e.data.step)}` : e.type));
  return { engine, store, events, eventTypes };
}

function statuses(state: ExecutionState): Record<string, string> {
  return Object.fromEntries(Object.entries(state.steps).map(([id, st]) => [id, st.status]));
}

function overlap(x: Call, y: Call): boolean {
  return x.startedAt < (y.endedAt ?? Infinity) && y.startedAt < (x.endedAt ?? Infinity);
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stepStatus(store: ExecutionStore, id: string, stepId: string): Promise<string | undefined> {
  return (await store.get(id))?.steps[stepId]?.status;
}

describe("WorkflowEngine scheduling", () => {
  it("runs dependent steps in dependency order and reports the lifecycle as events", async () => {
    const runner = new ScriptedRunner();
    const { engine, eventTypes } = setup(runner);
    const state = await engine.start(workflow([step("c", { depends_on: ["b"] }), step("a"), step("b", { depends_on: ["a"] })]));
    expect(state.status).toBe("completed");
    expect(runner.order()).toEqual(["a", "b", "c"]);
    expect(state.completionOrder).toEqual(["a", "b", "c"]);
    expect(eventTypes()).toEqual([
      "workflow.started",
      "step.started:a",
      "step.completed:a",
      "step.started:b",
      "step.completed:b",
      "step.started:c",
      "step.completed:c",
      "workflow.completed",
    ]);
    expect(runner.calls.map((c) => c.req.idempotencyKey)).toEqual(["a", "b", "c"].map((s) => `wf:${state.id}:${s}:step:1`));
  });

  it("runs two independent steps at the same time", async () => {
    const runner = new ScriptedRunner().on("x", "step", { delayMs: 80 }).on("y", "step", { delayMs: 80 });
    const { engine } = setup(runner);
    const state = await engine.start(workflow([step("x"), step("y", { agent: "a2" })]));
    expect(state.status).toBe("completed");
    const [x, y] = [runner.callsOf("x")[0], runner.callsOf("y")[0]];
    expect(x && y && overlap(x, y)).toBe(true);
  });

  it("fans out from a shared upstream step once and fans in after both branches", async () => {
    const runner = new ScriptedRunner().on("left", "step", { delayMs: 60 }).on("right", "step", { delayMs: 30 });
    const { engine } = setup(runner);
    const state = await engine.start(
      workflow([
        step("root"),
        step("left", { depends_on: ["root"] }),
        step("right", { depends_on: ["root"] }),
        step("join", { depends_on: ["left", "right"], task: "{{steps.left.output}}+{{steps.right.output}}" }),
        step("tail", { depends_on: ["root", "join"] }),
      ]),
    );
    expect(state.status).toBe("completed");
    expect(runner.callsOf("root")).toHaveLength(1);
    const [left, right, join] = [runner.callsOf("left")[0], runner.callsOf("right")[0], runner.callsOf("join")[0]];
    expect(left && right && overlap(left, right)).toBe(true);
    expect(join?.startedAt).toBeGreaterThanOrEqual(Math.max(left?.endedAt ?? Infinity, right?.endedAt ?? Infinity));
    expect(join?.req.task).toBe("run left+run right");
    expect(runner.order().at(-1)).toBe("tail");
  });

  it("renders params and earlier outputs and exit codes into later tasks", async () => {
    const runner = new ScriptedRunner().on("version", "step", { output: "1.2.3\n", exitCode: 0 });
    const { engine } = setup(runner);
    const state = await engine.start(
      workflow(
        [step("version"), step("deploy", { depends_on: ["version"], task: "deploy {{params.env}} v{{steps.version.output}} rc={{steps.version.exitCode}}" })],
        { env: { default: "staging" } },
      ),
      { env: "prod" },
    );
    expect(state.params).toEqual({ env: "prod" });
    expect(runner.callsOf("deploy")[0]?.req.task).toBe("deploy prod v1.2.3 rc=0");
    expect(state.steps.deploy?.task).toBe("deploy prod v1.2.3 rc=0");
  });

  it("skips a step whose when is false and still runs its dependents", async () => {
    const runner = new ScriptedRunner();
    const { engine, eventTypes } = setup(runner);
    const wf = workflow([step("deploy", { when: "{{params.env}} != 'dev'" }), step("notify", { depends_on: ["deploy"], task: "[{{steps.deploy.output}}]" })], {
      env: { default: "dev" },
    });
    const state = await engine.start(wf);
    expect(statuses(state)).toEqual({ deploy: "skipped", notify: "completed" });
    expect(state.steps.deploy?.skip).toBe("condition");
    expect(state.status).toBe("completed");
    expect(runner.order()).toEqual(["notify"]);
    expect(runner.callsOf("notify")[0]?.req.task).toBe("[]");
    expect(eventTypes()).toContain("step.skipped:deploy");
    expect(runner.callsOf("deploy")).toHaveLength(0);
    const prod = await engine.start(wf, { env: "prod" });
    expect(statuses(prod)).toEqual({ deploy: "completed", notify: "completed" });
  });
});

describe("WorkflowEngine failure policies", () => {
  it("fail: stops scheduling, cancels running steps and fails the execution", async () => {
    const runner = new ScriptedRunner().on("bad", "step", { status: "failed", exitCode: 2, delayMs: 20 }).on("slow", "step", { hang: true });
    const { engine, eventTypes } = setup(runner);
    const state = await engine.start(workflow([step("bad"), step("slow"), step("after", { depends_on: ["bad"] })]));
    expect(state.status).toBe("failed");
    expect(statuses(state)).toEqual({ bad: "failed", slow: "cancelled", after: "cancelled" });
    expect(state.reason).toBe('step "bad" failed: task failed (exit 2)');
    expect(runner.callsOf("slow")[0]?.aborted).toBe(true);
    expect(runner.callsOf("after")).toHaveLength(0);
    expect(eventTypes()).toContain("step.failed:bad");
    expect(eventTypes().at(-1)).toBe("workflow.failed");
  });

  it("continue: independent branches go on, dependents of the failed step are skipped", async () => {
    const runner = new ScriptedRunner().on("bad", "step", { status: "failed", delayMs: 5 }).on("good", "step", { delayMs: 40 });
    const { engine } = setup(runner);
    const state = await engine.start(
      workflow([
        step("bad", { on_failure: "continue" }),
        step("child", { depends_on: ["bad"] }),
        step("grandchild", { depends_on: ["child"] }),
        step("good"),
        step("good2", { depends_on: ["good"] }),
      ]),
    );
    expect(statuses(state)).toEqual({ bad: "failed", child: "skipped", grandchild: "skipped", good: "completed", good2: "completed" });
    expect(state.steps.child?.skip).toBe("upstream");
    expect(state.status).toBe("failed");
    expect(state.reason).toBe('step "bad" failed');
  });

  it("rollback: undoes completed steps that declare a rollback, newest completion first, then fails", async () => {
    const runner = new ScriptedRunner()
      .on("slowA", "step", { delayMs: 60, output: "A1" })
      .on("fastB", "step", { delayMs: 5 })
      .on("deploy", "step", { status: "failed", exitCode: 1 });
    const { engine, eventTypes } = setup(runner);
    const state = await engine.start(
      workflow([
        step("slowA", { rollback: { task: "undo A {{steps.slowA.output}}" } }),
        step("fastB", { rollback: { agent: "a2", task: "undo B" } }),
        step("plain", { depends_on: ["slowA", "fastB"] }),
        step("deploy", { depends_on: ["plain"], on_failure: "rollback", rollback: { task: "never" } }),
      ]),
    );
    expect(state.completionOrder).toEqual(["fastB", "slowA", "plain"]);
    const rollbacks = runner.calls.filter((c) => c.req.kind === "rollback");
    expect(rollbacks.map((c) => [c.req.stepId, c.req.task, c.req.agent])).toEqual([
      ["slowA", "undo A A1", "a1"],
      ["fastB", "undo B", "a2"],
    ]);
    expect(rollbacks[0]?.req.idempotencyKey).toBe(`wf:${state.id}:slowA:rollback:1`);
    expect(rollbacks[1] && rollbacks[0] && rollbacks[1].startedAt >= (rollbacks[0].endedAt ?? Infinity)).toBe(true);
    expect(state.status).toBe("failed");
    expect(state.reason).toBe('step "deploy" failed: task failed (exit 1); rolled back slowA, fastB');
    expect(state.steps.slowA?.rollback?.status).toBe("completed");
    expect(state.steps.plain?.rollback).toBeNull();
    expect(eventTypes().filter((e) => e.startsWith("step.rolled-back"))).toEqual(["step.rolled-back:slowA", "step.rolled-back:fastB"]);
  });
});

describe("WorkflowEngine steps", () => {
  it("retries a failing step with exponential backoff and a new key per attempt", async () => {
    const runner = new ScriptedRunner().on("flaky", "step", { status: "failed" }, { status: "timeout" }, { output: "ok" });
    const backoffs: number[] = [];
    const sleeps: number[] = [];
    const { engine, eventTypes } = setup(runner, {
      backoffMs: (attempt) => (backoffs.push(attempt), defaultBackoffMs(attempt)),
      sleep: async (ms) => void sleeps.push(ms),
    });
    const state = await engine.start(workflow([step("flaky", { retries: 2 })]));
    expect(state.status).toBe("completed");
    expect(runner.callsOf("flaky").map((c) => [c.req.attempt, c.req.idempotencyKey])).toEqual([1, 2, 3].map((n) => [n, `wf:${state.id}:flaky:step:${n}`]));
    expect(backoffs).toEqual([1, 2]);
    expect(sleeps).toEqual([1000, 2000]);
    expect(state.steps.flaky?.attempts).toBe(3);
    expect(eventTypes().filter((e) => e.startsWith("step.retrying"))).toHaveLength(2);
  });

  it("fails a step once its retries are used up", async () => {
    const runner = new ScriptedRunner().on("bad", "step", { status: "failed", exitCode: 3 });
    const { engine } = setup(runner);
    const state = await engine.start(workflow([step("bad", { retries: 1 })]));
    expect(runner.callsOf("bad")).toHaveLength(2);
    expect(state.steps.bad).toMatchObject({ status: "failed", attempts: 2, reason: "task failed (exit 3) after 2 attempts" });
  });

  it("completes a gated step only when the gate exits 0, running the gate on the agent that ran the task", async () => {
    const runner = new ScriptedRunner().on("build", "step", { agent: "a2", output: "dist" });
    const { engine } = setup(runner);
    const state = await engine.start(workflow([step("build", { route: "build it", agent: undefined, gate: "test -d {{steps.build.output}}" })]));
    expect(state.steps.build?.status).toBe("completed");
    const gate = runner.callsOf("build", "gate")[0];
    expect(gate?.req).toMatchObject({ task: "test -d dist", agent: "a2", kind: "gate", idempotencyKey: `wf:${state.id}:build:gate:1` });
    expect(state.steps.build?.gate).toMatchObject({ status: "completed", exitCode: 0 });
  });

  it("fails a gated step with the gate's output when the gate fails, retrying the task first", async () => {
    const runner = new ScriptedRunner().on("build", "gate", { status: "completed", exitCode: 1, output: "no dist/index.js" });
    const { engine } = setup(runner);
    const state = await engine.start(workflow([step("build", { gate: "test -f dist/index.js", retries: 1 })]));
    expect(runner.callsOf("build", "step")).toHaveLength(2);
    expect(runner.callsOf("build", "gate")).toHaveLength(2);
    expect(state.steps.build).toMatchObject({ status: "failed", output: "no dist/index.js", exitCode: 1 });
    expect(state.steps.build?.reason).toContain('gate "test -f dist/index.js" failed (exit 1)');
  });

  it("waits for approval, then runs the dependents once approved", async () => {
    const runner = new ScriptedRunner();
    const { engine, store, eventTypes } = setup(runner);
    const wf = workflow([step("build"), { id: "ok", approval: "Deploy {{params.env}}?", depends_on: ["build"] }, step("deploy", { depends_on: ["ok"] })], {
      env: { default: "prod" },
    });
    const run = engine.start(wf, {}, { id: "exec-approve" });
    await until(async () => (await stepStatus(store, "exec-approve", "ok")) === "waiting-approval");
    expect((await store.get("exec-approve"))?.steps.ok?.task).toBe("Deploy prod?");
    await expect(engine.approve("exec-approve", "deploy")).rejects.toThrow(UsageError);
    expect(runner.callsOf("deploy")).toHaveLength(0);
    await engine.approve("exec-approve", "ok");
    const state = await run;
    expect(statuses(state)).toEqual({ build: "completed", ok: "completed", deploy: "completed" });
    expect(eventTypes()).toContain("step.waiting-approval:ok");
  });

  it("fails the approval step on reject and applies its policy", async () => {
    const runner = new ScriptedRunner();
    const { engine, store } = setup(runner);
    const run = engine.start(workflow([{ id: "ok", approval: "go?" }, step("deploy", { depends_on: ["ok"] })]), {}, { id: "exec-reject" });
    await until(async () => (await stepStatus(store, "exec-reject", "ok")) === "waiting-approval");
    await engine.reject("exec-reject", "ok", "not today");
    const state = await run;
    expect(statuses(state)).toEqual({ ok: "failed", deploy: "cancelled" });
    expect(state.reason).toBe('step "ok" failed: not today');
    expect(runner.calls).toHaveLength(0);
  });

  it("cancel stops running steps and ends the execution as cancelled", async () => {
    const runner = new ScriptedRunner().on("long", "step", { hang: true });
    const { engine, eventTypes } = setup(runner);
    const run = engine.start(workflow([step("long"), step("next", { depends_on: ["long"] })]), {}, { id: "exec-cancel" });
    await runner.waitFor((c) => c.req.stepId === "long");
    await engine.cancel("exec-cancel");
    const state = await run;
    expect(state.status).toBe("cancelled");
    expect(statuses(state)).toEqual({ long: "cancelled", next: "cancelled" });
    expect(runner.callsOf("long")[0]?.aborted).toBe(true);
    expect(eventTypes().at(-1)).toBe("workflow.cancelled");
  });

  it("times a step out itself when the runner never answers", async () => {
    const runner = new ScriptedRunner().on("stuck", "step", { hang: true, deaf: true });
    const { engine } = setup(runner, { timeoutGraceMs: 0 });
    const state = await engine.start(workflow([step("stuck", { timeout: 1 })]));
    expect(state.steps.stuck).toMatchObject({ status: "failed", reason: "task timed out" });
  });
});

describe("WorkflowEngine durability", { timeout: 10_000 }, () => {
  const pipeline = (): Workflow =>
    workflow([step("lint"), step("build"), step("deploy", { depends_on: ["build"], gate: "check" }), step("verify", { depends_on: ["deploy"] })]);

  it("resumes after a crash: finished steps are not re-run, the running one is re-adopted with its key", async () => {
    const durable = new MemoryExecutionStore();
    const crashing = new CrashableStore(durable);
    const first = new ScriptedRunner().on("deploy", "step", { hang: true, deaf: true });
    void setup(first, { store: crashing }).engine.start(pipeline(), {}, { id: "exec-crash" });
    await first.waitFor((c) => c.req.stepId === "deploy");
    await until(async () => (await stepStatus(durable, "exec-crash", "lint")) === "completed");
    crashing.crash(); // the first engine never writes or answers again, like a killed process

    const second = new ScriptedRunner();
    const { engine } = setup(second, { store: durable });
    const state = await engine.resume("exec-crash");
    expect(state.status).toBe("completed");
    expect(second.order()).toEqual(["deploy", "verify"]);
    expect(second.callsOf("deploy")[0]?.req.idempotencyKey).toBe("wf:exec-crash:deploy:step:1");
    expect(second.callsOf("deploy")[0]?.req.idempotencyKey).toBe(first.callsOf("deploy")[0]?.req.idempotencyKey);
    expect(state.steps.deploy?.attempts).toBe(1);
  });

  it("resumes a step that crashed during its gate by re-adopting the gate, not re-running the task", async () => {
    const durable = new MemoryExecutionStore();
    const crashing = new CrashableStore(durable);
    const first = new ScriptedRunner().on("deploy", "gate", { hang: true, deaf: true });
    void setup(first, { store: crashing }).engine.start(pipeline(), {}, { id: "exec-gate" });
    await first.waitFor((c) => c.req.stepId === "deploy" && c.req.kind === "gate");
    crashing.crash();

    const second = new ScriptedRunner();
    const state = await setup(second, { store: durable }).engine.resume("exec-gate");
    expect(state.status).toBe("completed");
    expect(second.calls.map((c) => c.req.idempotencyKey)).toEqual(["wf:exec-gate:deploy:gate:1", "wf:exec-gate:verify:step:1"]);
  });

  it("retries a re-adopted step whose task turns out to have failed", async () => {
    const durable = new MemoryExecutionStore();
    const crashing = new CrashableStore(durable);
    const first = new ScriptedRunner().on("build", "step", { hang: true, deaf: true });
    const wf = workflow([step("build", { retries: 1 })]);
    void setup(first, { store: crashing }).engine.start(wf, {}, { id: "exec-retry" });
    await first.waitFor((c) => c.req.stepId === "build");
    crashing.crash();

    const second = new ScriptedRunner().on("build", "step", { status: "failed" }, { status: "completed" });
    const state = await setup(second, { store: durable }).engine.resume("exec-retry");
    expect(state.status).toBe("completed");
    expect(second.calls.map((c) => c.req.idempotencyKey)).toEqual(["wf:exec-retry:build:step:1", "wf:exec-retry:build:step:2"]);
  });

  it("resumes an interrupted rollback without repeating the rollbacks already done", async () => {
    const durable = new MemoryExecutionStore();
    const crashing = new CrashableStore(durable);
    const wf = workflow([
      step("one", { rollback: { task: "undo one" } }),
      step("two", { depends_on: ["one"], rollback: { task: "undo two" } }),
      step("three", { depends_on: ["two"], on_failure: "rollback" }),
    ]);
    const first = new ScriptedRunner().on("three", "step", { status: "failed" }).on("one", "rollback", { hang: true, deaf: true });
    void setup(first, { store: crashing }).engine.start(wf, {}, { id: "exec-rb" });
    await first.waitFor((c) => c.req.stepId === "one" && c.req.kind === "rollback");
    crashing.crash();

    const second = new ScriptedRunner();
    const state = await setup(second, { store: durable }).engine.resume("exec-rb");
    expect(first.order("rollback")).toEqual(["two", "one"]);
    expect(second.calls.map((c) => c.req.idempotencyKey)).toEqual(["wf:exec-rb:one:rollback:1"]);
    expect(state.status).toBe("failed");
    expect(state.reason).toBe('step "three" failed: task failed (exit 1); rolled back two, one');
  });

  it("sees an approval given through another engine on the same store", async () => {
    const store = new MemoryExecutionStore();
    const runner = new ScriptedRunner();
    const driving = setup(runner, { store }).engine;
    const run = driving.start(workflow([{ id: "ok", approval: "go?" }, step("after", { depends_on: ["ok"] })]), {}, { id: "exec-remote" });
    await until(async () => (await stepStatus(store, "exec-remote", "ok")) === "waiting-approval");
    await setup(new ScriptedRunner(), { store }).engine.approve("exec-remote", "ok");
    const state = await run;
    expect(state.status).toBe("completed");
    expect(runner.order()).toEqual(["after"]);
  });

  it("cancels from another process the task a dead engine left running, by its recorded task id", async () => {
    const durable = new MemoryExecutionStore();
    const crashing = new CrashableStore(durable);
    const first = new ScriptedRunner().on("build", "step", { hang: true, deaf: true });
    void setup(first, { store: crashing }).engine.start(workflow([step("build")]), {}, { id: "exec-orphan" });
    const call = await first.waitFor((c) => c.req.stepId === "build");
    await until(async () => (await durable.get("exec-orphan"))?.steps.build?.taskId === call.taskId);
    crashing.crash();

    const other = new ScriptedRunner();
    const state = await setup(other, { store: durable }).engine.cancel("exec-orphan");
    expect(state.status).toBe("cancelled");
    expect(other.cancelled).toEqual([call.taskId]);
  });

  it("close() detaches: running steps and rollbacks stay as stored, no task is cancelled, and another engine carries on", async () => {
    const store = new MemoryExecutionStore();
    const first = new ScriptedRunner().on("build", "step", { hang: true });
    const { engine } = setup(first, { store });
    const run = engine.start(workflow([step("lint"), step("build"), step("ship", { depends_on: ["build"] })]), {}, { id: "exec-detach" });
    await first.waitFor((c) => c.req.stepId === "build");
    await until(async () => (await stepStatus(store, "exec-detach", "lint")) === "completed");
    await engine.close();
    const detached = await run;
    expect(detached.status).toBe("running");
    expect(first.callsOf("build")[0]?.aborted).toBe(true);
    const stored = await store.get("exec-detach");
    expect(stored?.steps.build).toMatchObject({ status: "running", attempts: 1, reason: null });
    expect(engine.active()).toEqual([]);

    const second = new ScriptedRunner();
    const state = await setup(second, { store }).engine.resume("exec-detach");
    expect(state.status).toBe("completed");
    expect(second.calls.map((c) => c.req.idempotencyKey)).toEqual(["wf:exec-detach:build:step:1", "wf:exec-detach:ship:step:1"]);
  });

  it("a runner sees the difference between a cancel and a detach in its signal", async () => {
    const reasons: boolean[] = [];
    const runner = {
      run: (_req: unknown, signal: AbortSignal) =>
        new Promise<never>((_, reject) => signal.addEventListener("abort", () => (reasons.push(isDetached(signal)), reject(signal.reason)))),
    };
    const store = new MemoryExecutionStore();
    const engine = new WorkflowEngine({ store, runner, pollMs: 20 });
    const one = engine.start(workflow([step("a")]), {}, { id: "exec-sig-1" });
    await until(async () => (await stepStatus(store, "exec-sig-1", "a")) === "running");
    await engine.cancel("exec-sig-1");
    await one;
    const two = engine.start(workflow([step("a")]), {}, { id: "exec-sig-2" });
    await until(async () => (await stepStatus(store, "exec-sig-2", "a")) === "running");
    await engine.close();
    await two;
    expect(reasons).toEqual([false, true]);
  });

  it("resume() of an execution written by createExecution starts it (workflow.started), and resumes later ones (workflow.resumed)", async () => {
    const runner = new ScriptedRunner();
    const { engine, store, eventTypes } = setup(runner);
    const created = await createExecution(store, workflow([step("only")], { p: { default: "x" } }), {}, { id: "exec-created" });
    expect(created).toMatchObject({ status: "running", params: { p: "x" } });
    expect((await engine.resume("exec-created")).status).toBe("completed");
    expect(eventTypes()[0]).toBe("workflow.started");
    await expect(createExecution(store, workflow([step("only")], { p: { required: true } }))).rejects.toThrow(/missing required param "p"/);
  });

  it("returns a finished execution from resume without running anything", async () => {
    const runner = new ScriptedRunner();
    const { engine } = setup(runner);
    const done = await engine.start(workflow([step("only")]));
    const again = await engine.resume(done.id);
    expect(again.status).toBe("completed");
    expect(runner.calls).toHaveLength(1);
  });
});
