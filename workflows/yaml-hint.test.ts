import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.js";
import { parseWorkflow } from "./parse.js";

function problem(text: string): ConfigError {
  try {
    parseWorkflow(text, { file: "deploy.yaml", agents: ["ops"] });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("a YAML syntax error in a command line", () => {
  it("hints at `task: |` with the line's own text", () => {
    const error = problem("name: deploy\nsteps:\n  - id: a\n    agent: ops\n    task: echo status: ok\n");
    expect(error.problems[0]).toMatch(/^deploy\.yaml: line 5, column \d+: Nested mappings/);
    expect(error.hint).toBe(
      "the task on line 5 is read as YAML: write it as a block, with its text on the next line, indented:\n  task: |\n    echo status: ok",
    );
  });

  it("hints at the gate's block too, and at a quoted start followed by more text", () => {
    expect(problem("name: d\nsteps:\n  - id: a\n    agent: ops\n    task: true\n    gate: grep: x\n").hint).toMatch(
      /^the gate on line 6 .*\n {2}gate: \|\n {4}grep: x$/,
    );
    expect(problem('name: d\nsteps:\n  - id: a\n    agent: ops\n    task: "quoted" && rm x\n').hint).toContain("task: |");
  });

  it("gives no such hint for an error elsewhere", () => {
    expect(problem("name: d\nsteps:\n  - id: a\n   agent: ops\n").hint).toBeUndefined();
  });
});
