import { describe, expect, it } from "vitest";
import { notifyNameOf, streamTypesOf, subjectOf } from "./vocabulary.js";

describe("the notification vocabulary", () => {
  it("names a stream type by the name a target asked for, the most specific one first", () => {
    expect(notifyNameOf("workflow.failed", ["workflow.finished"])).toBe("workflow.finished");
    expect(notifyNameOf("workflow.failed", ["workflow.finished", "workflow.failed"])).toBe("workflow.failed");
    expect(notifyNameOf("workflow.completed", ["workflow.failed"])).toBeNull();
    expect(notifyNameOf("task.completed")).toBeNull();
  });

  it("covers the swarm's own event types for each name", () => {
    expect([...streamTypesOf(["needs-you", "agent.crash-loop", "breaker.open"])]).toEqual([
      "inbox.opened",
      "inbox.escalated",
      "agent.failed",
      "agent.breaker-open",
    ]);
  });

  it("finds what an event is about", () => {
    expect(subjectOf({ type: "task.failed", taskId: "t1", agent: "a" })).toBe("t1");
    expect(subjectOf({ type: "inbox.opened", item: "i-abcdef", executionId: "e1" })).toBe("i-abcdef");
    expect(subjectOf({ type: "budget.reached", executionId: "e2" })).toBe("e2");
    expect(subjectOf({ type: "agent.parked", agent: "alpha" })).toBe("alpha");
  });
});
