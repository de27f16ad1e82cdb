import { describe, expect, it } from "vitest";
import { permissionModeArgs } from "./permission-mode.js";

describe("the permission mode Claude Code is started with", () => {
  it("is `default` (ask first) when the agent's args choose none, whatever the program's own default", () => {
    expect(permissionModeArgs([])).toEqual(["--permission-mode", "default"]);
    expect(permissionModeArgs(["--allowedTools", "Bash"])).toEqual(["--permission-mode", "default"]);
  });

  it("is left to the args that choose one", () => {
    expect(permissionModeArgs(["--permission-mode", "acceptEdits"])).toEqual([]);
    expect(permissionModeArgs(["--permission-mode=auto"])).toEqual([]);
    expect(permissionModeArgs(["--dangerously-skip-permissions"])).toEqual([]);
  });
});
