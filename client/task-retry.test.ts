import { describe, expect, it } from "vitest";
import { UsageError, type TaskRecord } from "../core/index.js";
import { taskRecord } from "../test/helpers/task-record.js";
import { retryKey, retryOptions } from "./task-retry.js";

const ended: TaskRecord = taskRecord({
  id: "t1",
  agent: "ops",
  session: "ops-1",
  status: "failed",
  exitCode: 3,
  output: "boom",
  attempts: 1,
  task: "npm test",
  timeoutSec: 90,
});
const config = { agents: [{ name: "ops" }] } as never;

describe("what a retry submits", () => {
  it("the same agent, text, time limit and options, under the retry's own idempotency key", () => {
    const options = retryOptions(
      { ...ended, priority: 2, fresh: true, gate: "npm run lint", gateRetriesAllowed: 1, autoCommit: true, env: { CA_X: "1" } },
      config,
    );
    expect(options).toEqual({
      task: "npm test",
      agent: "ops",
      timeout: 90,
      priority: 2,
      fresh: true,
      gate: "npm run lint",
      gateRetries: 1,
      commit: true,
      env: { CA_X: "1" },
      idempotencyKey: retryKey("t1"),
    });
  });

  it("leaves out what the task did not set (priority 0 is first come, first served)", () => {
    expect(retryOptions(ended, config)).toEqual({ task: "npm test", agent: "ops", timeout: 90, idempotencyKey: "retry:t1" });
  });

  it("refuses a task that has not ended, one whose agent left swarm.yaml, and one whose text held a secret", () => {
    expect(() => retryOptions({ ...ended, status: "running" }, config)).toThrow(/still running/);
    expect(() => retryOptions({ ...ended, agent: "gone" }, config)).toThrow(/no longer in swarm.yaml/);
    expect(() => retryOptions({ ...ended, taskRedacted: true }, config)).toThrow(UsageError);
  });
});
