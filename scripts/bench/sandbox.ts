/**
 * What `sandbox: bwrap` costs a task: submit → result of `true` on a shell
 * agent whose tasks run in bubblewrap, beside one in the same swarm whose
 * tasks run unsandboxed (`sandbox: none`), timed alternately. The difference
 * is bwrap's own start: namespaces, the mount plan, its reaper process.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { alternating } from "./alternate.js";
import type { Cleanups } from "./cleanup.js";
import type { Plan, Results } from "./results.js";
import { describe } from "./stats.js";
import { startBenchSwarm, tempHome } from "./swarm.js";

const RESULT_TIMEOUT_MS = 120_000;

export async function measureSandboxOverhead(plan: Plan, cleanups: Cleanups, say: (line: string) => void): Promise<NonNullable<Results["sandbox"]>> {
  const probe = spawnSync("bwrap", ["--ro-bind", "/", "/", "--", "true"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) return { skipped: "bwrap is not installed or cannot run here (sudo apt-get install -y bubblewrap)" };
  say(`\nsandbox: one swarm, two shell agents in one work folder, \`sandbox: bwrap\` and \`sandbox: none\`; dispatch \`true\` on each, alternating`);
  const work = tempHome("work");
  mkdirSync(join(work, "src"), { recursive: true });
  const yaml = ["bwrap", "none"]
    .map((kind) => `  - name: ${kind}\n    runtime: shell\n    cwd: ${join(work, "src")}\n    sandbox: ${kind}\n    timeout: 120\n`)
    .join("");
  const swarm = await startBenchSwarm(1, cleanups, `agents:\n${yaml}`);
  try {
    const sdk = await swarm.sdk();
    const runner = (agent: string) => async (): Promise<void> => {
      const handle = await sdk.submit({ task: "true", agent });
      const result = await handle.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
      if (result.status !== "completed") throw new Error(`task ${handle.id} on ${agent} ended ${result.status}${result.reason ? `: ${result.reason}` : ""}`);
    };
    const [bwrap, none] = await alternating(plan.dispatchWarmup, plan.dispatchN, plan.dispatchBlock, runner("bwrap"), runner("none"));
    say(`  dispatch \`true\`, sandbox: bwrap:  ${describe(bwrap)}`);
    say(`  dispatch \`true\`, sandbox: none:   ${describe(none)}`);
    say(`  bwrap's cost per task, p50: ${(bwrap.p50 - none.p50).toFixed(2)} ms`);
    return { bwrap, none };
  } finally {
    await swarm.stop();
  }
}
