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
  it("reads the exit code and tee's status from a written exit file", () => {
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
