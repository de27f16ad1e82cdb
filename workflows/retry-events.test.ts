import { describe, expect, it } from "vitest";
import { WorkflowEngine } from "./engine.js";
import { workflowFromObject } from "./parse.js";
import { MemoryExecutionStore } from "./store.js";
import { ScriptedRunner } from "./testing/scripted-runner.js";

describe("a retried step's events", () => {
  it("name the workflow and the agent, like the step's other events", async () => {
    const runner = new ScriptedRunner().on("flaky", "step", { status: "failed" }, { output: "ok" });
    const events: Array<{ type: string; data: Record<string, unknown> }> = [];
    const engine = new WorkflowEngine({
      store: new MemoryExecutionStore(),
      runner,
      emit: (type, data) => events.push({ type, data }),
      backoffMs: () => 1,
      pollMs: 20,
    });
    const wf = workflowFromObject(
      { name: "deploy-app", steps: [{ id: "flaky", agent: "a1", task: "run flaky", retries: 1 }] },
      { file: "wf.yaml", agents: ["a1"] },
    );
    const state = await engine.start(wf);
    expect(state.status).toBe("completed");
    const retrying = events.find((e) => e.type === "step.retrying");
    expect(retrying?.data).toMatchObject({ workflow: "deploy-app", step: "flaky", agent: "a1", attempt: 1 });
    const restarted = events.find((e) => e.type === "step.started" && e.data.retry === true);
    expect(restarted?.data).toMatchObject({ workflow: "deploy-app", step: "flaky", agent: "a1", attempt: 2 });
  });
});
