#!/usr/bin/env node
// The test command: architecture rules, lint, type check, then the whole vitest
// suite, ending with one plain summary line that CI reads:
//   vitest: N passed, N failed, N skipped
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { ensureNode } from "./node-cache.mjs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1;
let failed = false;

console.log("== architecture (import directions, cycles)");
if (run(process.execPath, ["scripts/check-architecture.mjs"]) !== 0) failed = true;
console.log("== lint (biome)");
if (run(process.execPath, ["node_modules/@biomejs/biome/bin/biome", "lint", "--error-on-warnings", "."]) !== 0) failed = true;
console.log("== type check");
if (run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]) !== 0) failed = true;

// The fault-injection suite measures recovery times (RELIABILITY.md): it runs on its own, after the
// rest, so that those figures are the swarm's and not those of whatever test file shares the cores.
const args = process.argv.slice(2);
// The multi-host tests leave their rows of RELIABILITY.md's many-hosts table here for the fault suite
// (test/hosts/fault-rows.ts): rows of an earlier run must not stand in for a test that fails in this one.
if (args.length === 0) rmSync(".vitest-hosts", { recursive: true, force: true });
const phases =
  args.length > 0
    ? [{ title: "tests", args }]
    : [
        { title: "tests", args: ["--exclude", "test/reliability/**"] },
        { title: "fault-injection suite (alone)", args: ["test/reliability"], env: { CLAUDE_AGENT_SKIP_BUILD: "1" } },
      ];
// The real-program suites drive the current agent programs, which need Node >= 22. On an older
// machine Node they run a second time under Node 22 from claude-agent's cache (daemon, CLI and the
// agents' Node alike), so both Nodes are tested; the rest of the suite does not depend on the Node
// the programs need and runs once.
const REAL_PROGRAM_SUITES = [
  "test/agents/claude.test.ts",
  "test/agents/claude-interactive.test.ts",
  "test/agents/codex.test.ts",
  "test/agents/gemini.test.ts",
  "test/agents/qwen.test.ts",
];
if (args.length === 0 && Number(process.versions.node.split(".")[0]) < 22) {
  let node22 = null;
  try {
    node22 = ensureNode(22);
  } catch (error) {
    console.log(`== Node 22 could not be installed for the real-program suites: ${error.message}`);
    failed = true;
  }
  if (node22) {
    const PATH = `${dirname(node22)}:${process.env.PATH ?? ""}`;
    phases.push({
      title: `real-program suites again on Node 22 (${node22})`,
      node: node22,
      args: REAL_PROGRAM_SUITES,
      env: { PATH, CLAUDE_AGENT_SKIP_BUILD: "1" },
    });
  }
}

let passed = 0,
  failedTests = 0,
  skipped = 0,
  status = 0;
for (const phase of phases) {
  console.log(`== ${phase.title}`);
  const began = Date.now();
  const report = ".vitest-report.json";
  rmSync(report, { force: true });
  const code =
    spawnSync(
      phase.node ?? process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...phase.args],
      { stdio: "inherit", env: { ...process.env, ...phase.env } },
    ).status ?? 1;
  let phaseFailed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests ?? 0;
    phaseFailed = json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  }
  if (code !== 0 && phaseFailed === 0) phaseFailed = 1; // a run that crashed before reporting counts as a failure
  failedTests += phaseFailed;
  if (code !== 0) status = code;
  console.log(`== ${phase.title}: ${Math.round((Date.now() - began) / 1000)} s`);
}
console.log(`vitest: ${passed} passed, ${failedTests} failed, ${skipped} skipped`);
process.exit(failed || status !== 0 ? 1 : 0);
