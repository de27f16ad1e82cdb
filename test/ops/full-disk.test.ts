/**
 * A full disk for output files: a 64 KB tmpfs is mounted over the swarm's
 * output folder (the tests run as root, like CI; without the right to mount
 * they are skipped, saying so). A task whose output cannot be saved still
 * records its real exit code, and its result says the output is incomplete
 * and why, instead of passing a cut (or empty) file off as the whole output;
 * `doctor` names the disk; other tasks and the swarm go on working, and once
 * there is room again outputs are whole.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { canMountTmpfs } from "../helpers/mount.js";

const MOUNTABLE = canMountTmpfs();

describe.skipIf(!MOUNTABLE)("a full disk for output files (64 KB tmpfs over the output folder)", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let output: string;
  let mounted = false;

  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\n");
    client = await swarm.connect();
    output = swarm.paths.outputDir;
    mkdirSync(output, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", output]);
    mounted = true;
  });
  afterAll(async () => {
    if (mounted) spawnSync("umount", [output]);
    await swarm?.destroy();
  });

  const run = async (task: string) => (await client.submit({ task, agent: "alpha" })).result({ signal: AbortSignal.timeout(30_000) });

  it("records a task whose output overflows the disk with its exit code, the output saved so far, and why the rest is missing", async () => {
    const result = await run(`head -c 200000 /dev/zero | tr '\\0' x; echo; echo the-end; exit 3`);
    expect(result).toMatchObject({ status: "failed", exitCode: 3 });
    expect(result.outputError).toMatch(/^the output could not be saved in full: no space left on the disk of .*output/);
    expect(result.output.startsWith("x".repeat(1000))).toBe(true);
    expect(result.output).not.toContain("the-end");
    const shown = swarm.cli(["result", result.id]);
    expect(shown.stdout).toContain("warning: the output could not be saved in full");
    expect(readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8")).toContain(`"event":"job.output-incomplete","taskId":"${result.id}"`);
  });

  it("does not pass an empty output file off as a task's output while the disk is full", async () => {
    const result = await run("echo small");
    expect(result).toMatchObject({ status: "completed", exitCode: 0, output: "" });
    expect(result.outputError).toMatch(/no space left/);
  });

  it("has doctor name the full disk, with a fix", async () => {
    const report = JSON.parse(swarm.cli(["doctor", "--json"]).stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
    const disk = report.checks.find((check) => check.name === "disk");
    expect(disk).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^only 0(\.0)? MB free for .*output/),
      fix: expect.stringContaining("CLAUDE_AGENT_HOME"),
    });
    expect(report.ok).toBe(false);
  });

  it("goes on taking work, and saves whole outputs again once there is room", async () => {
    for (const name of readdirSync(output)) rmSync(join(output, name), { force: true });
    const result = await run("echo room-again");
    expect(result).toMatchObject({ status: "completed", exitCode: 0, output: "room-again\n" });
    expect(result.outputError).toBeUndefined();
  });
});
