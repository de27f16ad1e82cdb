import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeReliabilityMd } from "../reliability/report.js";
import { HOST_FAULTS, hostFaultRows, recordHostFault } from "./fault-rows.js";

describe("the many-hosts fault table of RELIABILITY.md", () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-host-rows-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const counts = { submitted: 1000, completed: 1000, failed: 0, lost: 0, duplicates: 0 };

  it("lists every fault in its order, a fault whose test left no row as failed, and a row with a lost task as failed", () => {
    recordHostFault("spread", { recoveryMs: null, jobBackMs: null, ...counts, notes: "even" }, dir);
    recordHostFault("cut", { recoveryMs: 3300, jobBackMs: null, ...counts, lost: 1, notes: "one lost" }, dir);
    const rows = hostFaultRows(dir);
    expect(rows.map((row) => row.fault)).toEqual(HOST_FAULTS.map(([, fault]) => fault));
    const byFault = new Map(rows.map((row) => [row.fault, row]));
    expect(byFault.get("1,000-task burst over three hosts")).toMatchObject({ passed: true, submitted: 1000, notes: "even" });
    expect(byFault.get("a host's link to Redis cut 20 s mid-task (blackhole), then restored")).toMatchObject({ passed: false, lost: 1 });
    expect(byFault.get("a host killed whole mid-task")).toMatchObject({ passed: false, failure: "no row: its test failed or did not run" });
  });

  it("writes the rows under a section of their own after the single-host table, and leaves the section out without rows", () => {
    const file = join(dir, "RELIABILITY.md");
    writeReliabilityMd(file, [], { swarm: "test", durationMs: 1000 }, hostFaultRows(dir));
    const text = readFileSync(file, "utf8");
    expect(text).toContain("## Many hosts");
    expect(text).toContain(`**${HOST_FAULTS.length - 1} of ${HOST_FAULTS.length} faults without a passing row**`);
    expect(text).toContain("| 1,000-task burst over three hosts | – | 1000 | 1000 | 0 | 0 | 0 | even |");
    expect(text).toContain("| **FAILED** a host's link to Redis cut 20 s mid-task (blackhole), then restored | 3.30 s |");
    writeReliabilityMd(file, [], { swarm: "test", durationMs: 1000 });
    expect(readFileSync(file, "utf8")).not.toContain("## Many hosts");
  });
});
