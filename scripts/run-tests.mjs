#!/usr/bin/env node
// The test command: architecture rules, type check, then the whole vitest
// suite, ending with one plain summary line that CI reads:
//   vitest: N passed, N failed, N skipped
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1;
let failed = false;

console.log("== architecture (import directions, cycles)");
if (run(process.execPath, ["scripts/check-architecture.mjs"]) !== 0) failed = true;
console.log("== type check");
if (run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]) !== 0) failed = true;

// The fault-injection suite measures recovery times (RELIABILITY.md): it runs on its own, after the
// rest, so that those figures are the swarm's and not those of whatever test file shares the cores.
const args = process.argv.slice(2);
const phases = args.length > 0
  ? [{ title: "tests", args }]
  : [
      { title: "tests", args: ["--exclude", "test/reliability/**"] },
      { title: "fault-injection suite (alone)", args: ["test/reliability"], env: { CLAUDE_AGENT_SKIP_BUILD: "1" } },
    ];
let passed = 0, failedTests = 0, skipped = 0, status = 0;
for (const phase of phases) {
  console.log(`== ${phase.title}`);
  const report = ".vitest-report.json";
  rmSync(report, { force: true });
  const code = spawnSync(process.execPath, [
    "node_modules/vitest/vitest.mjs", "run",
    "--reporter=default", "--reporter=json", `--outputFile.json=${report}`,
    ...phase.args,
  ], { stdio: "inherit", env: { ...process.env, ...phase.env } }).status ?? 1;
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
}
console.log(`vitest: ${passed} passed, ${failedTests} failed, ${skipped} skipped`);
process.exit(failed || status !== 0 ? 1 : 0);
