import { describe, expect, it } from "vitest";
import { foreignFileFields, recordProblems } from "./ledger-validate.js";

const id = "mx5hwnhn-l87nk4";
const files = { outputDir: "/h/output", jobsDir: "/h/jobs", agentsDir: "/h/agents" };
const record = (outputFile: string, agent = "coder") => ({ id, agent, outputFile });

describe("the output file a task record may name", () => {
  it("accepts the task's log, its job files and its interactive agent's result file", () => {
    for (const file of [`/h/output/${id}.log`, `/h/jobs/${id}-1.out`, `/h/agents/coder/results/${id}-1.result.md`]) {
      expect(recordProblems(id, record(file), files), file).toEqual([]);
      expect(recordProblems(id, record(file)), `${file} (no folders given)`).toEqual([]);
    }
  });

  it("refuses another agent's results folder, a folder outside the home, and another task's file", () => {
    const refused = [
      record(`/h/agents/guard/results/${id}-1.result.md`),
      record(`/etc/${id}-1.result.md`),
      record(`/h/agents/coder/results/../../../etc/${id}-1.result.md`),
      record(`/h/agents/coder/results/other-task-1.result.md`),
      record(`/h/agents/coder/results/${id}-1.result.md`, "../x"),
    ];
    for (const hash of refused) expect(recordProblems(id, hash, files), hash.outputFile).not.toEqual([]);
  });
});

describe("the recording a task record may name", () => {
  const cast = (castFile: string) => ({ id, agent: "coder", castFile });

  it("accepts only <home>/output/<id>.cast", () => {
    expect(recordProblems(id, cast(`/h/output/${id}.cast`), files)).toEqual([]);
    expect(recordProblems(id, cast(`/h/output/${id}.cast`))).toEqual([]);
  });

  it("refuses another task's recording, another folder, a path that climbs out, and a log posing as a recording", () => {
    for (const file of [
      `/h/output/other-task.cast`,
      `/etc/${id}.cast`,
      `/h/output/../../etc/${id}.cast`,
      `/h/output/${id}.log`,
      `output/${id}.cast`,
      `/h/jobs/${id}.cast`,
    ]) {
      expect(recordProblems(id, cast(file), files), file).toEqual([expect.stringMatching(/^castFile: /)]);
    }
  });
});

describe("files of another home (another host's dispatch)", () => {
  it("names the well-formed file fields outside this home's folders, and only those", () => {
    const other = { id, agent: "coder", outputFile: `/other/output/${id}.log`, castFile: `/other/output/${id}.cast` };
    expect(recordProblems(id, other)).toEqual([]);
    expect(foreignFileFields(id, other, files)).toEqual(["outputFile", "castFile"]);
    expect(foreignFileFields(id, { id, outputFile: `/h/output/${id}.log`, castFile: `/h/output/${id}.cast` }, files)).toEqual([]);
    expect(foreignFileFields(id, { id, outputFile: `/other/jobs/${id}-2.out` }, files)).toEqual(["outputFile"]);
  });
});
