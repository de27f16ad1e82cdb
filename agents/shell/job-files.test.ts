import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectDispatch } from "./job-files.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "job-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("what a dispatch's files say of it", () => {
  it("reads the exit code and tee's status from the end line appended to the claim", () => {
    writeFileSync(join(dir, "t-1.claim"), "pane\nend 3 0\n");
    expect(inspectDispatch(dir, "t-1")).toEqual({ kind: "finished", exitCode: 3, outputSaved: true });
    writeFileSync(join(dir, "t-1.claim"), "pane\nend 0 1\n");
    expect(inspectDispatch(dir, "t-1")).toEqual({ kind: "finished", exitCode: 0, outputSaved: false });
  });

  it("takes a claim without a whole end line (the append not read in full) for a running job", () => {
    writeFileSync(join(dir, "t-2.claim"), "pane\n");
    expect(inspectDispatch(dir, "t-2")).toEqual({ kind: "running" });
    writeFileSync(join(dir, "t-2.claim"), "pane\nend 0 0");
    expect(inspectDispatch(dir, "t-2")).toEqual({ kind: "running" });
  });

  it("tells a withdrawn dispatch, one not started, and one it knows nothing of", () => {
    writeFileSync(join(dir, "t-3.claim"), "withdrawn\n");
    expect(inspectDispatch(dir, "t-3")).toEqual({ kind: "withdrawn" });
    writeFileSync(join(dir, "t-4.job"), "nonce\n");
    expect(inspectDispatch(dir, "t-4")).toEqual({ kind: "not-started" });
    expect(inspectDispatch(dir, "t-5")).toEqual({ kind: "unknown" });
  });

  describe("a pane started by an older rcfile, which writes its end to `.exit`", () => {
    it("reads the exit code and tee's status from the exit file", () => {
      writeFileSync(join(dir, "t-1.claim"), "pane\n");
      writeFileSync(join(dir, "t-1.exit"), "3\n0\n");
      expect(inspectDispatch(dir, "t-1")).toEqual({ kind: "finished", exitCode: 3, outputSaved: true });
      writeFileSync(join(dir, "t-1.exit"), "0\n1\n");
      expect(inspectDispatch(dir, "t-1")).toEqual({ kind: "finished", exitCode: 0, outputSaved: false });
    });

    it("takes an exit file still being written (opened, empty) for a running job, not for exit code -1", () => {
      writeFileSync(join(dir, "t-2.claim"), "pane\n");
      writeFileSync(join(dir, "t-2.exit"), "");
      expect(inspectDispatch(dir, "t-2")).toEqual({ kind: "running" });
    });
  });
});
