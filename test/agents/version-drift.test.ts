/**
 * Drift warnings for a program release outside what claude-agent was tested
 * with: a deliberately unsupported older release from the registry (Claude
 * Code 1.0.0, installed into claude-agent's cache like the conformance run's
 * releases) beside the pinned one. doctor fails on it, up says so, and status
 * shows the release each session runs, with the warning. The tested range is
 * whatever CONFORMANCE.md holds, so these assertions do not pin it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheRoot } from "../../agents/index.js";
import { runCli, tempHome } from "../helpers/swarm.js";
import { programBin, programVersion } from "./programs.js";

const OLD = "1.0.0";
const OLD_DIR = join(cacheRoot(), "programs", "claude", OLD);
const OLD_BIN = join(OLD_DIR, "node_modules", ".bin", "claude");
const RANGE = String.raw`\(\d+\.\d+\.\d+ – \d+\.\d+\.\d+, CONFORMANCE\.md\)`;

describe("an agent running a Claude Code release older than any tested", () => {
  const home = tempHome();
  const dir = tempHome();
  const config = join(dir, "swarm.yaml");

  beforeAll(() => {
    if (!existsSync(OLD_BIN)) {
      mkdirSync(OLD_DIR, { recursive: true });
      // --omit=optional: 1.0.0's only optional dependencies are sharp's image binaries, which --version does not need.
      const npm = spawnSync(
        "npm",
        ["install", "--prefix", OLD_DIR, "--no-audit", "--no-fund", "--loglevel=error", "--omit=optional", `@anthropic-ai/claude-code@${OLD}`],
        { encoding: "utf8", timeout: 150_000 },
      );
      if (npm.status !== 0) throw new Error(`npm install @anthropic-ai/claude-code@${OLD} failed: ${npm.stderr}`);
    }
    writeFileSync(
      config,
      `agents:
  - { name: old, runtime: claude, command: ${OLD_BIN}, cwd: ${dir} }
  - { name: current, runtime: claude, command: ${programBin("claude")}, cwd: ${dir} }
  - { name: sh, runtime: shell }
`,
    );
  }, 180_000);
  afterAll(() => {
    runCli(["down"], { home });
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails doctor, saying the release is older than the tested range and what to install", () => {
    const { exitCode, stdout } = runCli(["doctor"], { home, cwd: dir });
    expect(stdout).toMatch(
      new RegExp(
        `FAIL  agent old version: claude ${OLD} is older than any release claude-agent was tested with ${RANGE}: task delivery or status detection may not work\\. Fix: npm install -g @anthropic-ai/claude-code@\\d+\\.\\d+\\.\\d+`,
      ),
    );
    expect(stdout).toContain(
      `ok    agent current version: claude ${programVersion("claude")} (Claude Code) at ${programBin("claude")}; within the tested range`,
    );
    expect(exitCode).toBe(1);
  });

  it("makes up say so plainly, and status show each session's release with the warning", async () => {
    const up = runCli(["up", "--detach", "--config", config], { home });
    expect(up.exitCode).toBe(0);
    expect(up.stderr).toMatch(new RegExp(`warning: agent old version: claude ${OLD} is older than any release claude-agent was tested with ${RANGE}`));
    expect(up.stderr).not.toContain("agent current version"); // (its login warning may name it)

    // The bridge asks each program for its version in the background once its sessions are up.
    let status = runCli(["status"], { home });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(status.stdout.includes(`old: claude ${OLD}`) && status.stdout.includes("current: claude"))) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = runCli(["status"], { home });
    }
    expect(status.stdout).toMatch(new RegExp(`old: claude ${OLD}: WARNING: claude ${OLD} is older than any release claude-agent was tested with ${RANGE}`));
    expect(status.stdout).toContain(`current: claude ${programVersion("claude")} (tested)`);
    const json = JSON.parse(runCli(["status", "--json"], { home }).stdout) as { sessions: { name: string; programVersion?: string }[] };
    expect(json.sessions.find((s) => s.name === "old-1")?.programVersion).toBe(`${OLD} (Claude Code)`);
    expect(json.sessions.find((s) => s.name === "sh-1")?.programVersion).toBeUndefined();
  }, 180_000);
});
