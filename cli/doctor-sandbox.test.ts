import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkBubblewrap, sandboxChecks } from "./doctor-checks.js";

const dir = mkdtempSync(join(tmpdir(), "ca-doctor-sbx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("doctor's sandbox checks", () => {
  it("says bubblewrap runs here, and names the agents that run unsandboxed", async () => {
    writeFileSync(
      join(dir, "swarm.yaml"),
      "agents:\n  - name: boxed\n    runtime: shell\n    sandbox: bwrap\n  - name: open\n    runtime: shell\n    sandbox: none\n  - name: old\n    runtime: shell\n",
    );
    const [bwrap, sandbox] = await sandboxChecks({ home: join(dir, "home"), cwd: dir });
    expect(bwrap).toEqual({ name: "bubblewrap", ok: true, detail: "bwrap runs a sandbox here" });
    expect(sandbox).toMatchObject({ name: "sandbox", ok: true });
    expect(sandbox!.detail).toContain("unsandboxed, with the swarm user's access to its home, sockets and job files: open, old (no sandbox key)");
    expect(sandbox!.detail).not.toMatch(/\bboxed\b/);
  });

  it("fails with a fix when bwrap is missing and an agent needs it, and only reports it when none does", async () => {
    const noBwrap = { ...process.env, PATH: "/nonexistent" };
    expect(await checkBubblewrap(true, noBwrap)).toEqual({
      name: "bubblewrap",
      ok: false,
      detail: "not installed; agents with `sandbox: bwrap` cannot start",
      fix: "sudo apt-get install -y bubblewrap (or npm run setup)",
    });
    expect(await checkBubblewrap(false, noBwrap)).toMatchObject({ ok: true, detail: "not installed (no agent in swarm.yaml has `sandbox: bwrap`)" });
  });
});
