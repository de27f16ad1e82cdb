import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { DEFAULT_RETENTION, configTemplate, durationMs, formatDuration, parseConfig } from "./index.js";

const options = { file: "/project/swarm.yaml", baseDir: "/project" };
const AGENTS = "agents:\n  - { name: api, runtime: shell }\n";
const SEC = 1000;
const DAY = 24 * 3600 * SEC;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

describe("retention in swarm.yaml", () => {
  it("is absent when the file has no retention section, so the defaults apply (7d, 30d, 50,000 tasks, 5,000 executions)", () => {
    expect(parseConfig(AGENTS, options).retention).toBeUndefined();
    expect(DEFAULT_RETENTION).toEqual({ completedMs: 7 * DAY, failedMs: 30 * DAY, maxTasks: 50_000, maxExecutions: 5_000 });
  });

  it("reads durations with units or in plain seconds, and the two limits", () => {
    const config = parseConfig(`${AGENTS}retention: { completed: 36h, failed: 3600000, max_tasks: 1000, max_executions: 20 }\n`, options);
    expect(config.retention).toEqual({ completedMs: 36 * 3600 * SEC, failedMs: 3_600_000 * SEC, maxTasks: 1000, maxExecutions: 20 });
    expect(Object.isFrozen(config.retention)).toBe(true);
  });

  it("fills what is not given with the defaults", () => {
    expect(parseConfig(`${AGENTS}retention:\n  failed: 90d\n`, options).retention).toEqual({ ...DEFAULT_RETENTION, failedMs: 90 * DAY });
    expect(parseConfig(`${AGENTS}retention: { max_tasks: 10 }\n`, options).retention).toEqual({ ...DEFAULT_RETENTION, maxTasks: 10 });
  });

  it.each([
    ["30d", 30 * DAY],
    ["12h", 12 * 3600 * SEC],
    ["90m", 90 * 60 * SEC],
    ["45s", 45 * SEC],
    ["1d12h", 36 * 3600 * SEC],
    ["1d 12h", 36 * 3600 * SEC],
    ["600", 600 * SEC],
    [600, 600 * SEC],
  ])("takes %j as a duration", (written, ms) => {
    expect(durationMs(written)).toBe(ms);
  });

  it.each(["0d", 0, -5, 1.5, "30 days", "30D", "1w", "", "d", true, null, [1]])("refuses %j as a duration", (written) => {
    expect(durationMs(written)).toBeNull();
  });

  it("writes durations back the way a person would", () => {
    expect([30 * DAY, 36 * 3600 * SEC, 90 * 60 * SEC, 45 * SEC, 61 * SEC].map(formatDuration)).toEqual(["30d", "36h", "90m", "45s", "61s"]);
  });

  it.each([
    [
      "a word for a duration",
      "retention: { failed: thirty }",
      'retention.failed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got "thirty"',
    ],
    [
      "an unknown unit",
      "retention: { completed: 2w }",
      'retention.completed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got "2w"',
    ],
    [
      "a zero duration",
      "retention: { completed: 0 }",
      "retention.completed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got 0",
    ],
    [
      "a negative duration",
      "retention: { failed: -1d }",
      'retention.failed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got "-1d"',
    ],
    [
      "a fractional count of seconds",
      "retention: { failed: 1.5 }",
      "retention.failed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got 1.5",
    ],
    ["a zero max_tasks", "retention: { max_tasks: 0 }", "retention.max_tasks: expected a positive integer, got 0"],
    ["a max_executions as text", "retention: { max_executions: lots }", 'retention.max_executions: expected a positive integer, got "lots"'],
    ["an unknown key", "retention: { completed: 7d, keep_forever: true }", "retention.keep_forever: unknown key"],
    [
      "a section that is not a mapping",
      "retention: 7d",
      'retention: expected a mapping with `completed`, `failed`, `max_tasks` and/or `max_executions`, got "7d"',
    ],
  ])("reports %s with its path and what was expected", (_what, yaml, problem) => {
    expect(problemsOf(`${AGENTS}${yaml}\n`)).toEqual([`swarm.yaml: ${problem}`]);
  });

  it("refuses failed work kept shorter than completed work, naming both values", () => {
    expect(problemsOf(`${AGENTS}retention: { completed: 7d, failed: 2d }\n`)).toEqual([
      "swarm.yaml: retention.failed: 2d is shorter than retention.completed, 7d; failed tasks and executions are kept at least as long as completed ones, for looking into them",
    ]);
    expect(problemsOf(`${AGENTS}retention: { failed: 1d }\n`)).toEqual([
      "swarm.yaml: retention.failed: 1d is shorter than 7d, the default for retention.completed; failed tasks and executions are kept at least as long as completed ones, for looking into them",
    ]);
    expect(problemsOf(`${AGENTS}retention: { completed: 60d }\n`)).toEqual([
      "swarm.yaml: retention.completed: 60d is longer than failed ones are kept (30d, the default); set retention.failed to 60d or more: failed tasks and executions are kept at least as long as completed ones, for looking into them",
    ]);
    expect(parseConfig(`${AGENTS}retention: { completed: 2d, failed: 2d }\n`, options).retention).toMatchObject({ completedMs: 2 * DAY, failedMs: 2 * DAY });
  });

  it("reports a bad retention alongside the file's other problems", () => {
    expect(problemsOf("agents:\n  - { name: api, runtime: shell, replicas: 0 }\nretention: { failed: soon }\n")).toEqual([
      "swarm.yaml: agents.0.replicas: expected a positive integer, got 0",
      'swarm.yaml: retention.failed: expected a positive duration like 30d, 12h, 90m or 45s, or a number of seconds, got "soon"',
    ]);
  });

  it("is explained in the init template, whose example loads once uncommented and gives the defaults", () => {
    const text = configTemplate().replace(/^# (retention:|  (completed|failed|max_tasks|max_executions): .*)$/gm, "$1");
    expect(text).toMatch(/^retention:$/m);
    expect(parseConfig(text, options).retention).toEqual(DEFAULT_RETENTION);
  });
});
