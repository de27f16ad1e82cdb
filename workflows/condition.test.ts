import { describe, expect, it } from "vitest";
import { checkCondition, evaluateCondition, evaluateWhen, parseCondition } from "./condition.js";

describe("evaluateWhen", () => {
  it.each([
    ["prod != 'dev'", true],
    ["dev != 'dev'", false],
    ['  prod  == "prod" ', true],
    ["a == b", false],
    ["true", true],
    ["false", false],
    ["FALSE", false],
    ["0", false],
    ["", false],
    ["yes", true],
  ])("%j is %s", (text, expected) => {
    expect(evaluateWhen(text)).toBe(expected);
  });
});

describe("evaluateCondition", () => {
  it("splits operands before rendering, so values cannot inject operators", () => {
    const cond = parseCondition("{{params.x}} == 'a'");
    expect(evaluateCondition(cond, (t) => t.replace("{{params.x}}", "a == a"))).toBe(false);
    expect(evaluateCondition(cond, (t) => t.replace("{{params.x}}", " a "))).toBe(true);
  });

  it("keeps spaces inside quotes", () => {
    expect(evaluateCondition(parseCondition("' a' == 'a'"))).toBe(false);
  });
});

describe("checkCondition", () => {
  it.each([
    ["a == b == c", "more than one comparison"],
    ["a && b", 'unsupported operator "&&"'],
    ["a = b", 'unsupported operator "="'],
    ["== b", "missing left operand"],
    ["'a == b", "unterminated ' quote"],
    ["'a' x == b", "unexpected text"],
  ])("rejects %j", (text, problem) => {
    expect(checkCondition(text)).toContain(problem);
  });

  it("accepts operators inside templates and quotes", () => {
    expect(checkCondition("{{params.env}} != 'a == b'")).toBeNull();
  });
});
