import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../core/index.js";
import { taskDuration, taskLines, taskView, type TaskView } from "./tasks-view.js";
import { stripTags, textWidth } from "./text.js";

const record = (over: Partial<TaskRecord>): TaskRecord => ({
  id: "mx6iz6dp-zzsm2k",
  agent: "backend-api",
  session: "backend-api-1",
  status: "completed",
  exitCode: 0,
  output: "\nmodule A: parse\nmodule A: check\n",
  outputFile: null,
  submittedAt: "2030-01-01T12:00:00.000Z",
  startedAt: "2030-01-01T12:00:00.100Z",
  finishedAt: "2030-01-01T12:00:01.300Z",
  durationMs: 1200,
  attempts: 1,
  task: "compile module A",
  timeoutSec: 60,
  priority: 0,
  idempotencyKey: null,
  routedBy: "default",
  dispatch: null,
  pane: null,
  cancelRequested: false,
  ...over,
});

describe("the tasks view", () => {
  it("sums a task up by the first line of its answer or output, or of its text while it has not ended", () => {
    expect(taskView(record({})).summary).toBe("module A: parse");
    expect(taskView(record({ answer: "Added the endpoint.\nDetails…" })).summary).toBe("Added the endpoint.");
    expect(taskView(record({ status: "timeout", output: "", reason: "time limit reached" })).summary).toBe("time limit reached");
    expect(taskView(record({ status: "running", finishedAt: null, durationMs: null, output: "" })).summary).toBe("compile module A");
  });

  it("shows id, agent, coloured status, duration and result, each line within the width", () => {
    const now = Date.parse("2030-01-01T12:00:05.000Z");
    const tasks: TaskView[] = [
      taskView(record({ id: "t-run", status: "running", finishedAt: null, durationMs: null, output: "" })),
      taskView(record({ id: "t-fail", status: "failed", agent: "testing", exitCode: 1, output: "checking api/health.js\n", durationMs: 4 })),
      taskView(record({})),
    ];
    const lines = taskLines(tasks, 78, now);
    expect(stripTags(lines[0]!)).toMatch(/^ID\s+AGENT\s+STATUS\s+TIME RESULT/);
    expect(stripTags(lines[1]!)).toMatch(/^t-run\s+backend-api\s+running\s+4\.9s compile module A/);
    expect(stripTags(lines[2]!)).toMatch(/^t-fail\s+testing\s+failed\s+4ms checking api\/health\.js/);
    expect(stripTags(lines[3]!)).toMatch(/^mx6iz6dp-zzsm2k backend-api\s+completed\s+1\.2s module A: parse/);
    expect(lines[2]).toContain("{red-fg}failed");
    expect(lines[3]).toContain("{green-fg}completed");
    expect(lines[1]).toContain("{yellow-fg}running");
    for (const line of lines) expect(textWidth(stripTags(line))).toBeLessThanOrEqual(78);
  });

  it("drops the agent column on a narrow panel, and says when there is nothing yet", () => {
    const narrow = taskLines([taskView(record({}))], 46, Date.now()).map(stripTags);
    expect(narrow[0]).not.toContain("AGENT");
    expect(narrow[1]).toMatch(/^mx6iz6dp-zzsm2k completed\s+1\.2s module A: pa…/);
    expect(textWidth(narrow[1]!)).toBe(46);
    expect(stripTags(taskLines([], 40, Date.now())[0]!)).toBe("no tasks yet");
    expect(stripTags(taskLines(null, 40, Date.now())[0]!)).toContain("reading");
  });

  it("writes durations to the millisecond below a second", () => {
    expect(taskDuration(24)).toBe("24ms");
    expect(taskDuration(1240)).toBe("1.2s");
    expect(taskDuration(42_000)).toBe("42s");
    expect(taskDuration(null)).toBe("-");
  });
});
