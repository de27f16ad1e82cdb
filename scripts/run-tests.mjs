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

console.log("== tests");
const report = ".vitest-report.json";
rmSync(report, { force: true });
const status = run(process.execPath, [
  "node_modules/vitest/vitest.mjs", "run",
  "--reporter=default", "--reporter=json", `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
let passed = 0, failedTests = 0, skipped = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests ?? 0;
  failedTests = json.numFailedTests ?? 0;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
}
if (status !== 0 && failedTests === 0) failedTests = 1; // a suite that crashed before reporting counts as a failure
console.log(`vitest: ${passed} passed, ${failedTests} failed, ${skipped} skipped`);
process.exit(failed || status !== 0 ? 1 : 0);
