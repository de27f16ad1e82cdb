import { describe, expect, it } from "vitest";
import { streamFields } from "./events.js";

describe("workflow events on the swarm's stream", () => {
  it("flattens the engine's data to strings, drops empty values, and adds a message for `logs`", () => {
    const fields = streamFields("step.completed", {
      executionId: "e1",
      workflow: "deploy",
      step: "build",
      attempt: 2,
      taskId: "t1",
      exitCode: 0,
      reason: null,
      gate: undefined,
    });
    expect(fields).toEqual({
      executionId: "e1",
      workflow: "deploy",
      step: "build",
      attempt: "2",
      taskId: "t1",
      exitCode: "0",
      message: "deploy/build completed: attempt 2 · exit 0 · execution e1",
    });
  });

  it("keeps objects as JSON and names the workflow when there is no step", () => {
    const fields = streamFields("workflow.started", { executionId: "e2", workflow: "wf", params: { env: "prod" } });
    expect(fields.params).toBe('{"env":"prod"}');
    expect(fields.message).toBe("wf started: execution e2");
  });
});
