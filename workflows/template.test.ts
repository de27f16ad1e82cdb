import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.js";
import { renderTemplate, templateRefs } from "./template.js";

const ctx = {
  params: { env: "prod" },
  steps: { build: { output: "v1.2.3\n\n", exitCode: 0 }, skipped: { output: "", exitCode: null } },
};

describe("renderTemplate", () => {
  it("substitutes params, outputs (trailing newlines dropped) and exit codes", () => {
    expect(renderTemplate("deploy {{params.env}} {{ steps.build.output }} rc={{steps.build.exitCode}}", ctx)).toBe("deploy prod v1.2.3 rc=0");
    expect(renderTemplate("[{{steps.skipped.exitCode}}]", ctx)).toBe("[]");
  });

  it("does not re-expand braces that come from a value", () => {
    expect(renderTemplate("{{params.env}}", { params: { env: "{{params.env}}" }, steps: {} })).toBe("{{params.env}}");
  });

  it("throws ConfigError for refs the context cannot answer", () => {
    expect(() => renderTemplate("{{params.region}}", ctx)).toThrow(ConfigError);
    expect(() => renderTemplate("{{steps.test.output}}", ctx)).toThrow(/step "test"/);
    expect(() => renderTemplate("{{ nonsense }}", ctx)).toThrow(/invalid template reference/);
  });
});

describe("templateRefs", () => {
  it("lists well-formed and invalid refs, including an unclosed tag", () => {
    expect(templateRefs("a {{params.x}} {{steps.s-1.exitCode}} {{steps.s.stdout}} {{oops").map((r) => r.kind)).toEqual(["param", "step", "invalid", "invalid"]);
  });
});
