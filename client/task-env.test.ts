import { describe, expect, it } from "vitest";
import { UsageError } from "../core/index.js";
import { expandForPolicy } from "../core/index.js";
import { checkTaskEnv } from "./task-env.js";

describe("a task's own variables (SubmitOptions.env)", () => {
  it("takes CA_ names with text values, and nothing when there are none", () => {
    expect(checkTaskEnv({ CA_PARAM_ENV: "prod", CA_STEP_1_OUTPUT: "a\nb $(x) 'q'" })).toEqual({ CA_PARAM_ENV: "prod", CA_STEP_1_OUTPUT: "a\nb $(x) 'q'" });
    expect(checkTaskEnv(undefined)).toBeUndefined();
    expect(checkTaskEnv({})).toBeUndefined();
  });

  it("refuses a name a task must not set, naming it", () => {
    for (const name of ["PATH", "LD_PRELOAD", "CA_lower", "CA_", "CA_X-Y", "TMUX", "CLAUDE_AGENT_HOME", "CA_X;Y", "CA_A[$(x)]"]) {
      expect(() => checkTaskEnv({ [name]: "v" })).toThrow(UsageError);
      expect(() => checkTaskEnv({ [name]: "v" })).toThrow(JSON.stringify(name));
    }
  });

  it("refuses NUL bytes, text with no UTF-8 form, non-strings and values too large for execve", () => {
    expect(() => checkTaskEnv({ CA_X: "a\0b" })).toThrow("CA_X: the value contains a NUL byte");
    expect(() => checkTaskEnv({ CA_X: "a\uD800b" })).toThrow("CA_X: the value is not valid text");
    expect(() => checkTaskEnv({ CA_X: 3 })).toThrow("CA_X: expected a string");
    expect(() => checkTaskEnv(["CA_X=1"])).toThrow("expected an object");
    expect(checkTaskEnv({ CA_X: "a".repeat(131_072 - 6) })).toBeDefined();
    expect(() => checkTaskEnv({ CA_X: "a".repeat(131_072 - 5) })).toThrow("one variable carries at most 131066");
    const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`CA_V${i}`, "a".repeat(120_000)]));
    expect(() => checkTaskEnv(big)).toThrow("a task's variables carry at most 1048576");
  });

  it("shows the policy the values in place of their references, and leaves other variables alone", () => {
    const env = { CA_PARAM_DIR: "/", CA_PARAM_X: "mkfs" };
    expect(expandForPolicy('rm -rf "${CA_PARAM_DIR?}" && $CA_PARAM_X ${CA_PARAM_X} ${HOME} ${CA_OTHER?}', env)).toBe(
      'rm -rf "/" && mkfs mkfs ${HOME} ${CA_OTHER?}',
    );
  });
});
