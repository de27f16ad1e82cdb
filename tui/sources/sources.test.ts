import { describe, expect, it } from "vitest";
import type { SwarmEvent } from "../../core/index.js";
import { Throughput } from "./throughput.js";
import type { WorkflowView } from "../state.js";
import { KEEP_FINISHED_MS, parseExecution, workflowsToShow } from "./workflow-source.js";

describe("parseExecution", () => {
  const doc = {
    id: "wf-1",
    workflow: "deploy",
    status: "running",
    definition: { name: "deploy", steps: [{ id: "build" }, { id: "test" }, { id: "ship" }] },
    steps: { ship: { status: "pending", agent: null }, build: { status: "completed", agent: "backend" }, test: { status: "running", agent: "qa" } },
  };

  it("reads an execution in the order its definition declares the steps", () => {
    expect(parseExecution(JSON.stringify(doc))).toEqual({
      id: "wf-1",
      workflow: "deploy",
      status: "running",
      steps: [
        { id: "build", status: "completed", agent: "backend" },
        { id: "test", status: "running", agent: "qa" },
        { id: "ship", status: "pending", agent: null },
      ],
      finishedAt: null,
    });
  });

  it("skips what it cannot read, and tolerates partial records", () => {
    expect(parseExecution(null)).toBeNull();
    expect(parseExecution("{not json")).toBeNull();
    expect(parseExecution("[]")).toBeNull();
    expect(parseExecution(JSON.stringify({ id: 7, status: "running" }))).toBeNull();
    expect(parseExecution(JSON.stringify({ id: "x", status: "running", steps: { a: "weird", b: { status: "failed" } } }))).toEqual({
      id: "x",
      workflow: "workflow",
      status: "running",
      steps: [
        { id: "a", status: "pending", agent: null },
        { id: "b", status: "failed", agent: null },
      ],
      finishedAt: null,
    });
  });
});

describe("workflowsToShow", () => {
  const wf = (id: string, status: string, finishedAt: string | null): WorkflowView => ({ id, workflow: "w", status, steps: [], finishedAt });

  it("keeps the running executions and those finished in the last five minutes", () => {
    const now = Date.parse("2030-01-01T12:00:00Z");
    const shown = workflowsToShow(
      [
        wf("run", "running", null),
        wf("just-done", "completed", "2030-01-01T11:59:00Z"),
        wf("failed-4m", "failed", "2030-01-01T11:56:00Z"),
        wf("old", "completed", "2030-01-01T11:54:59Z"),
        wf("no-time", "cancelled", null),
      ],
      now,
    );
    expect(shown.map((w) => w.id)).toEqual(["run", "just-done", "failed-4m"]);
    expect(KEEP_FINISHED_MS).toBe(5 * 60_000);
    expect(parseExecution(JSON.stringify({ id: "x", status: "completed", finishedAt: "2030-01-01T11:59:00Z" }))?.finishedAt).toBe("2030-01-01T11:59:00Z");
  });
});

describe("Throughput", () => {
  const at = (ms: number, type: string): SwarmEvent => ({ id: `${ms}-0`, type, at: new Date(ms).toISOString() });

  it("counts finished tasks per minute from the stream ids", () => {
    const t = new Throughput();
    const minute = 60_000;
    const now = 100 * minute + 30_000;
    t.add(at(now - 2 * minute, "task.completed"));
    t.add(at(now - 2 * minute + 1000, "task.completed"));
    t.add(at(now, "task.completed"));
    t.add(at(now, "task.failed"));
    t.add(at(now, "task.timeout"));
    t.add(at(now, "task.started"));
    expect(t.series(now, 4)).toEqual({ done: [0, 2, 0, 1], failed: [0, 0, 0, 2] });
  });

  it("forgets minutes older than it keeps", () => {
    const t = new Throughput(5);
    t.add(at(0, "task.completed"));
    t.add(at(10 * 60_000, "task.completed"));
    expect(t.series(10 * 60_000, 11).done).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
