import { describe, expect, it } from "vitest";
import { proseHint } from "./prose-hint.js";

describe("the hint for prose sent to a shell agent", () => {
  it("explains a sentence that failed as a command on its first word", () => {
    const hint = proseHint("Create user auth system", 127, "bash: line 1: Create: command not found\n");
    expect(hint).toMatch(/^bash: line 1: Create: command not found: this agent runs bash, .*did you mean an AI agent\?/);
    expect(hint).toContain("--template claude");
  });

  it.each([
    ["a command that failed otherwise", "npm test --silent now", 1, "npm ERR! missing script: test\n"],
    ["a missing program named by a path", "./build.sh all the things", 127, "bash: ./build.sh: No such file or directory\n"],
    ["a short command", "pyhton script.py", 127, "bash: pyhton: command not found\n"],
    ["a later word not found", "echo hi && frobnicate the thing", 127, "hi\nbash: frobnicate: command not found\n"],
    ["success", "Create user auth system", 0, ""],
  ])("stays quiet for %s", (_what, task, exit, output) => {
    expect(proseHint(task, exit, output)).toBeNull();
  });
});
