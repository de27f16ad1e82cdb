import { spawnSync } from "node:child_process";

/**
 * Integration tests drive the built CLI (dist/), exactly as a user runs it:
 * build it once first. Type errors are reported by the type-check step of
 * `npm test`; tsc still emits, so they do not stop the tests here.
 */
export default function setup(): void {
  // scripts/run-tests.mjs runs vitest twice; the second run uses the first one's build.
  if (process.env.CLAUDE_AGENT_SKIP_BUILD === "1") return;
  const result = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { encoding: "utf8" });
  if (result.status !== 0) process.stderr.write(`warning: the build reported type errors:\n${result.stdout}\n`);
}
