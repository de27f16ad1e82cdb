import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_TUNING, tuningFromEnv } from "./tuning.js";

describe("CLAUDE_AGENT_TUNING", () => {
  it("accepts known settings as positive numbers, and refuses anything else with the setting's name", () => {
    expect(tuningFromEnv(undefined)).toEqual({});
    expect(tuningFromEnv('{"maxDispatches":2,"breakerOpenMs":500}')).toEqual({ maxDispatches: 2, breakerOpenMs: 500 });
    expect(() => tuningFromEnv("{")).toThrow(/expected a JSON object/);
    expect(() => tuningFromEnv('{"lockDuration":1}')).toThrow(/unknown setting "lockDuration"/);
    expect(() => tuningFromEnv('{"crashLimit":0}')).toThrow(/crashLimit: expected a positive number/);
  });

  it("is documented in the README with every setting and its default", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const paragraph = readme.split("\n").find((line) => line.includes("`CLAUDE_AGENT_TUNING` (a JSON object"));
    expect(paragraph, "the README paragraph on CLAUDE_AGENT_TUNING").toBeDefined();
    const documented = Object.fromEntries([...paragraph!.matchAll(/`(\w+)` \((\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
    expect(documented).toEqual(DEFAULT_TUNING);
  });
});
