/**
 * A workflow run's `budget:` on the engine, with an in-memory store and inbox
 * and a scripted runner whose tasks report tokens and cost.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError, type InboxAnswer, type NewInboxItem } from "../core/index.js";
import { WorkflowEngine } from "./engine.js";
import type { InboxPort } from "./inbox-items.js";
import { parseWorkflow, workflowFromObject } from "./parse.js";
import { chargeRun } from "./run-budget.js";
import { MemoryExecutionStore } from "./store.js";
import { ScriptedRunner } from "./testing/scripted-runner.js";
import type { ExecutionState } from "./types.js";

class MemoryInbox implements InboxPort {
  readonly items = new Map<string, NewInboxItem & { status: string; answer?: InboxAnswer }>();
  async open(item: NewInboxItem): Promise<void> {
    if (!this.items.has(item.id)) this.items.set(item.id, { ...item, status: "open" });
  }
  async answer(id: string, answer: InboxAnswer): Promise<void> {
    Object.assign(this.items.get(id) ?? {}, { status: "answered", answer });
  }
  async withdraw(id: string): Promise<boolean> {
    return this.items.delete(id);
  }
  open_(): NewInboxItem[] {
    return [...this.items.values()].filter((i) => i.status === "open");
  }
}

const THREE_STEPS = [
  { id: "a", agent: "a1", task: "run a" },
  { id: "b", agent: "a1", task: "run b", depends_on: "a" },
  { id: "c", agent: "a1", task: "run c", depends_on: "b" },
];

function setup(budget: Record<string, unknown>, tokens = 400) {
  const store = new MemoryExecutionStore();
  const inbox = new MemoryInbox();
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const runner = new ScriptedRunner();
  for (const id of ["a", "b", "c"]) runner.on(id, "step", { tokens, costUsd: 0.01 });
  const engine = new WorkflowEngine({ store, runner, inbox, emit: (type, data) => events.push({ type, data }), pollMs: 10 });
  const workflow = workflowFromObject({ name: "wf", budget, steps: THREE_STEPS }, { file: "wf.yaml", agents: ["a1"] });
  return { engine, store, inbox, events, runner, workflow };
}

async function until<T>(probe: () => Promise<T | null | undefined> | T | null | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error("until: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const values = (decision: string, extra: Record<string, string> = {}): InboxAnswer => ({ values: { decision, ...extra }, by: "tester" });

describe("a workflow run's budget", () => {
  it("is read from the top of the workflow, and refused without a limit, with a bad amount or with a period", () => {
    const parse = (budget: string) =>
      parseWorkflow(`name: wf\nbudget: ${budget}\nsteps:\n  - id: a\n    agent: a1\n    task: go\n`, { file: "wf.yaml", agents: ["a1"] });
    expect(parse("{ usd: 5, tokens: 1000 }").budget).toEqual({ usd: 5, tokens: 1000 });
    const problems = (budget: string) => {
      try {
        parse(budget);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      throw new Error("expected a ConfigError");
    };
    expect(problems("{}")).toEqual(["wf.yaml: budget: expected `usd` and/or `tokens` (a budget with no limit limits nothing)"]);
    expect(problems("{ usd: 0 }")).toEqual(["wf.yaml: budget.usd: expected a positive number of US dollars, such as 20 or 2.5, got 0"]);
    expect(problems("{ tokens: 10, per: day }")).toEqual(["wf.yaml: budget.per: unknown field"]);
  });

  it("starts no new step at the limit, asks once, and `once` lets exactly one more step start", async () => {
    const { engine, store, inbox, events, runner, workflow } = setup({ tokens: 500 });
    const done = engine.start(workflow, {}, { id: "e-once" });
    const paused = await until(async () => ((await store.get("e-once"))?.budget?.paused ? store.get("e-once") : null));
    // a (400) stayed under 500, b (800) crossed it: c waits.
    expect(runner.order()).toEqual(["a", "b"]);
    expect(paused?.steps.c?.status).toBe("pending");
    expect(paused?.budget).toMatchObject({ spent: { tokens: 800 }, counted: ["task-1", "task-2"], paused: { item: expect.stringMatching(/^i-/) } });
    const item = await until(() => inbox.open_()[0]);
    expect(item).toMatchObject({ id: paused?.budget?.paused?.item, kind: "input", source: { type: "budget", executionId: "e-once", workflow: "wf" } });
    expect(events.filter((e) => e.type === "budget.reached").map((e) => e.data)).toEqual([
      expect.objectContaining({ executionId: "e-once", workflow: "wf", spent: "800 tokens", limit: "500 tokens", item: item.id }),
    ]);

    await expect(engine.answerBudget("e-once", "i-other1", values("once"))).rejects.toThrow(UsageError);
    await engine.answerBudget("e-once", item.id, values("once"));
    const final: ExecutionState = await done;
    expect(final.status).toBe("completed");
    expect(runner.order()).toEqual(["a", "b", "c"]);
    expect(final.budget).toMatchObject({ spent: { tokens: 1200 }, once: 0, paused: null });
    expect(inbox.items.get(item.id)).toMatchObject({ status: "answered" });
  });

  it("takes a raise only above what was spent, then carries on under the new limit", async () => {
    const { engine, store, inbox, runner, workflow } = setup({ tokens: 300 });
    const done = engine.start(workflow, {}, { id: "e-raise" });
    const item = await until(() => inbox.open_()[0]);
    expect(runner.order()).toEqual(["a"]);
    await expect(engine.answerBudget("e-raise", item.id, values("raise"))).rejects.toThrow("raise needs a new limit");
    await expect(engine.answerBudget("e-raise", item.id, values("raise", { tokens: "400" }))).rejects.toThrow("the new limit is already reached");
    await engine.answerBudget("e-raise", item.id, values("raise", { tokens: "5000" }));
    expect((await done).status).toBe("completed");
    expect((await store.get("e-raise"))?.budget?.raised).toEqual({ tokens: 5000 });
  });

  it("cancels the run on `stop`", async () => {
    const { engine, inbox, runner, workflow } = setup({ usd: 0.01 });
    const done = engine.start(workflow, {}, { id: "e-stop" });
    const item = await until(() => inbox.open_()[0]);
    await engine.answerBudget("e-stop", item.id, values("stop"));
    const final = await done;
    expect(final).toMatchObject({ status: "cancelled", reason: "stopped at its budget" });
    expect(runner.order()).toEqual(["a"]);
  });

  it("counts a task once, however often its outcome is applied", () => {
    const state = { definition: { budget: { tokens: 10 } } } as unknown as ExecutionState;
    chargeRun(state, { status: "completed", exitCode: 0, output: "", taskId: "t1", tokens: 7, costUsd: 0.5 });
    chargeRun(state, { status: "completed", exitCode: 0, output: "", taskId: "t1", tokens: 7, costUsd: 0.5 });
    expect(state.budget).toMatchObject({ spent: { tokens: 7, usd: 0.5 }, counted: ["t1"] });
  });
});
