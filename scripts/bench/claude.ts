import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Results } from "./results.js";
import { describe, summarize } from "./stats.js";

/**
 * The real Claude Code (devDependency) in interactive mode against the
 * scripted Anthropic server of the tests: test/bench/claude-latency.ts, run
 * with tsx because it needs the test fixtures that the build leaves out.
 */
export function measureClaudeLatency(root: string, tasks: number, say: (line: string) => void): Results["claude"] {
  const claude = resolve(root, "node_modules/.bin/claude");
  const tsx = resolve(root, "node_modules/tsx/dist/cli.mjs");
  if (!existsSync(claude) || !existsSync(tsx)) return { skipped: "Claude Code or tsx is not installed (npm install with dev dependencies)" };
  say(`
agent completion latency: real Claude Code, interactive, ${tasks} tasks against the scripted Anthropic server`);
  const run = spawnSync(process.execPath, [tsx, "test/bench/claude-latency.ts"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, BENCH_CLAUDE_TASKS: String(tasks) },
    timeout: 10 * 60_000,
  });
  const line = run.stdout?.trim().split("\n").at(-1) ?? "";
  try {
    const figures = JSON.parse(line) as { latencyMs: number[]; stopHookMs: number[] };
    const latency = summarize(figures.latencyMs);
    const stopHook = summarize(figures.stopHookMs);
    say(`  model's last byte → result recorded: ${describe(latency)}`);
    say(`  model's last byte → Stop hook:       ${describe(stopHook)}`);
    return { latency, stopHook };
  } catch {
    const why = `the measurement failed (exit ${run.status ?? run.signal}): ${(run.stderr ?? "").trim().split("\n").slice(-3).join(" / ")}`;
    say(`  ${why}`);
    return { skipped: why };
  }
}
