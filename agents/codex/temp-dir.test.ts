import { describe, expect, it } from "vitest";
import { codexTempDir } from "./temp-dir.js";

describe("the TMPDIR codex gets", () => {
  it("is a folder inside its config folder when that folder is under /tmp", () => {
    expect(codexTempDir("/tmp/swarm/agents/coder/config", {})).toBe("/tmp/swarm/agents/coder/config/tmp");
  });

  it("is a folder inside its config folder when that folder is under $TMPDIR", () => {
    expect(codexTempDir("/scratch/t/swarm/config", { TMPDIR: "/scratch/t" })).toBe("/scratch/t/swarm/config/tmp");
  });

  it("is left alone for a config folder elsewhere, or one that only shares a prefix with /tmp", () => {
    expect(codexTempDir("/home/me/.claude-agent/agents/coder/config", {})).toBeNull();
    expect(codexTempDir("/tmpfiles/swarm/config", {})).toBeNull();
  });
});
