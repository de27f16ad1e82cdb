import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { parseConfig } from "./index.js";

const base = mkdtempSync(join(tmpdir(), "ca-budget-config-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const options = { file: join(base, "swarm.yaml"), baseDir: base };
const load = (budget: string) => parseConfig(`agents:\n  - name: coder\n    runtime: shell\n    budget: ${budget}\n`, options).agents[0]!;

function problems(budget: string): readonly string[] {
  try {
    load(budget);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("an agent's `budget`", () => {
  it("is absent by default: the agent spends without limit", () => {
    expect(parseConfig("agents:\n  - name: coder\n    runtime: shell\n", options).agents[0]!.budget).toBeUndefined();
  });

  it("reads usd and tokens per day, week or month, a day when `per` is not given", () => {
    expect(load("{ usd: 20, tokens: 5000000, per: week }").budget).toEqual({ usd: 20, tokens: 5000000, per: "week" });
    expect(load("{ usd: 2.5 }").budget).toEqual({ usd: 2.5, per: "day" });
    expect(load("{ tokens: 100, per: month }").budget).toEqual({ tokens: 100, per: "month" });
  });

  it("refuses a budget without a limit, bad amounts, unknown periods and keys, each with its path and what it expects", () => {
    expect(problems("{ per: day }")).toEqual(["swarm.yaml: agents.0.budget: expected `usd` and/or `tokens` (a budget with no limit limits nothing)"]);
    expect(problems("{ usd: -5 }")).toEqual(["swarm.yaml: agents.0.budget.usd: expected a positive number of US dollars, such as 20 or 2.5, got -5"]);
    expect(problems('{ usd: "$20" }')).toEqual(['swarm.yaml: agents.0.budget.usd: expected a positive number of US dollars, such as 20 or 2.5, got "$20"']);
    expect(problems("{ tokens: 1.5 }")).toEqual(["swarm.yaml: agents.0.budget.tokens: expected a positive whole number of tokens, such as 5000000, got 1.5"]);
    expect(problems("{ tokens: 10, per: hour }")).toEqual(['swarm.yaml: agents.0.budget.per: expected one of "day", "week", "month", got "hour"']);
    expect(problems("{ tokens: 10, dollars: 5 }")).toEqual(["swarm.yaml: agents.0.budget.dollars: unknown key"]);
    expect(problems("20")).toEqual(["swarm.yaml: agents.0.budget: expected a mapping such as { usd: 20, tokens: 5000000, per: day }, got 20"]);
  });

  it("comes with the hint that says where to fix it", () => {
    try {
      load("{ per: day }");
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).hint).toContain("swarm.yaml");
    }
  });
});
