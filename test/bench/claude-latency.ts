/**
 * Agent completion latency (target: p50 ≤ 50 ms, p95 ≤ 100 ms): from the
 * model's last byte to the task's result being recorded, for the real Claude Code
 * (the pinned devDependency) in INTERACTIVE mode, answering from our scripted
 * Anthropic server on loopback. Run by `npm run bench` through tsx (it needs
 * the test fixtures, which the build leaves out); prints one JSON line:
 * `{ n, latencyMs: number[], stopHookMs: number[] }`.
 *
 * Each task is a `[[plain]]` prompt: the model writes the result file (one
 * tool call), then answers. "The model's last byte" is the moment the server
 * finished sending that final answer; "recorded" is the result's finishedAt.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startAnthropicServer } from "../fixtures/llm/anthropic.js";
import { startTestSwarm } from "../helpers/swarm.js";

const N = Number(process.env.BENCH_CLAUDE_TASKS ?? 30);
const WARMUP = 3;
const CLAUDE = resolve(import.meta.dirname, "../../node_modules/.bin/claude");

const llm = await startAnthropicServer();
const work = mkdtempSync(join(tmpdir(), "ca-bench-claude-"));
const swarm = await startTestSwarm(`
agents:
  - name: coder
    runtime: claude
    mode: interactive
    auto_approve: true
    command: ${CLAUDE}
    cwd: ${work}
    timeout: 60
    env:
      ANTHROPIC_API_KEY: sk-ant-test-0000000000000000000000
      ANTHROPIC_BASE_URL: ${llm.url}
      DISABLE_AUTOUPDATER: 1
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: 1
`);
const latencyMs: number[] = [];
const stopHookMs: number[] = [];
try {
  const client = await swarm.connect();
  const hookFile = join(swarm.home, "agents", "coder", "hooks", "coder-1.jsonl");
  for (let i = 0; i < WARMUP + N; i++) {
    const ends = llm.replyEnds.length;
    const handle = await client.submit({ task: `Benchmark prompt ${i} [[plain]]`, agent: "coder" });
    const result = await handle.result({ signal: AbortSignal.timeout(60_000) });
    if (result.status !== "completed") throw new Error(`task ${handle.id} ended ${result.status}: ${result.reason ?? ""}`);
    const lastByte = llm.replyEnds.slice(ends).at(-1);
    if (lastByte === undefined) throw new Error(`the server saw no reply for task ${handle.id}`);
    if (i < WARMUP) continue;
    latencyMs.push(Date.parse(result.finishedAt!) - lastByte);
    // The Stop hook's own timestamp (our hook command writes `at`, ms since the epoch) for this task.
    const stop = readFileSync(hookFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event?: string; at?: number })
      .filter((e) => e.event === "Stop")
      .at(-1);
    // `at` is $EPOCHREALTIME: seconds, microsecond precision.
    if (stop?.at) stopHookMs.push(stop.at * 1000 - lastByte);
  }
} finally {
  if (process.env.BENCH_KEEP_LOG) writeFileSync(process.env.BENCH_KEEP_LOG, readFileSync(join(swarm.paths.logsDir, "swarm.jsonl")));
  await swarm.destroy().catch(() => rmSync(swarm.home, { recursive: true, force: true }));
  await llm.close();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ n: latencyMs.length, latencyMs, stopHookMs })}\n`);
