/**
 * `npm run bench`: the performance figures of BRIEF.md ("Performance goals"),
 * each beside a bare BullMQ-plus-execa baseline measured in the same run, and
 * written to BENCHMARKS.md. Everything runs in temp homes and is torn down
 * (daemon, tmux server, redis-server, files) even on failure or Ctrl-C.
 *
 *   npm run bench                 full run (~3 minutes)
 *   BENCH_QUICK=1 npm run bench   smaller run (~1 minute)
 *
 * Timings belong here only: tests never assert them.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { redisServerVersion } from "../core/index.js";
import { startBaselineRedis, startBaselineWorker, type BaselineRedis } from "./bench/baseline.js";
import { Cleanups } from "./bench/cleanup.js";
import { childrenOf, clockTicks, cpuMs, readStat, rssKb } from "./bench/procfs.js";
import { describe, mb, ms, pct, rate, summarize, type Summary } from "./bench/stats.js";
import { AGENT, startBenchSwarm, type BenchSwarm } from "./bench/swarm.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = resolve(HERE, "../..");
const OUT = process.env.BENCH_OUT ?? resolve(ROOT, "BENCHMARKS.md");
const QUICK = process.env.BENCH_QUICK === "1";

const PLAN = QUICK
  ? { dispatchWarmup: 10, dispatchN: 100, dispatchBlock: 25, burst: 300, burstWarmup: 2, scales: [1, 8, 32], idleAgents: [32], settleMs: 5_000, sampleMs: 10_000 }
  : { dispatchWarmup: 20, dispatchN: 300, dispatchBlock: 25, burst: 1000, burstWarmup: 2, scales: [1, 8, 32], idleAgents: [32, 64], settleMs: 10_000, sampleMs: 20_000 };
const IDLE_AGENTS: number[] = process.env.BENCH_IDLE_AGENTS ? process.env.BENCH_IDLE_AGENTS.split(",").map(Number) : PLAN.idleAgents;
const RESULT_TIMEOUT_MS = 120_000;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface IdleFigures {
  agents: number;
  settleMs: number;
  sampleMs: number;
  cpu: { daemon: number; redis: number; tmuxServer: number; tmuxClient: number };
  rssKb: { daemon: number; redis: number; tmuxServer: number; tmuxClient: number; panes: number };
  paneCount: number;
}

interface Results {
  startedAt: Date;
  finishedAt?: Date;
  machine: Record<string, string>;
  dispatch: { ours?: Summary; baseline?: Summary };
  throughput: { n: number; ours?: number; baseline?: number; oursSec?: number; baselineSec?: number; oursCpuMs?: number; baselineCpuMs?: number }[];
  startup: { replicas: number; ms: number }[];
  idle: IdleFigures[];
  /** 1-minute load average at the start and at the end of the run. */
  load: { start: number; end?: number };
  /** Interactive Claude Code: model's last byte → result recorded, and → its Stop hook, ms per task; or why it was not measured. */
  claude?: { latency: Summary; stopHook: Summary } | { skipped: string };
}

// ---------------------------------------------------------------- measuring

/** Runs `count` tasks at once; returns the seconds from the first submit to the last result. */
async function burst(count: number, runOne: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => runOne(i)));
  return (performance.now() - t0) / 1000;
}

function oursRunner(swarm: Awaited<ReturnType<BenchSwarm["sdk"]>>, task: string, expect: string | null) {
  return async (): Promise<void> => {
    const handle = await swarm.submit({ task, agent: AGENT });
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
    if (result.status !== "completed" || (expect !== null && result.output.trim() !== expect)) {
      throw new Error(`task ${handle.id} (${task}) ended ${result.status} with ${JSON.stringify(result.output.slice(0, 200))}${result.reason ? `: ${result.reason}` : ""}`);
    }
  };
}

/**
 * Ours and the baseline run side by side, one scale at a time (1, 8, 32), and
 * their measurements alternate, so that a machine whose load drifts during
 * the run (shared CI, other sessions) skews both the same way.
 */
async function measureAll(results: Results, cleanups: Cleanups): Promise<void> {
  say(`baseline: bare BullMQ Worker + execa \`bash -c\` in a child process, on a private redis-server (unix socket, AOF everysec)`);
  const redis: BaselineRedis = await startBaselineRedis(cleanups);
  try {
    for (const n of PLAN.scales) await measureScale(results, cleanups, redis, n);
    for (const agents of IDLE_AGENTS.filter((n) => !PLAN.scales.includes(n))) {
      say(`\nidle ${agents}: swarm of 1 shell agent × ${agents} replicas (idle cost only)`);
      const t0 = performance.now();
      const swarm = await startBenchSwarm(agents, cleanups);
      results.startup.push({ replicas: agents, ms: performance.now() - t0 });
      say(`  swarm ready in ${ms(performance.now() - t0)} (daemon pid ${swarm.daemon.pid})`);
      try {
        results.idle.push(await measureIdle(swarm, agents));
      } finally {
        await swarm.stop();
      }
    }
  } finally {
    await redis.stop();
  }
}

async function measureScale(results: Results, cleanups: Cleanups, redis: BaselineRedis, n: number): Promise<void> {
  say(`\nscale ${n}: swarm of 1 shell agent × ${n} replica${n > 1 ? "s" : ""} (daemon \`claude-agent up\` in a child process) | baseline worker with concurrency ${n}`);
  const t0 = performance.now();
  const swarm = await startBenchSwarm(n, cleanups);
  const startMs = performance.now() - t0;
  results.startup.push({ replicas: n, ms: startMs });
  say(`  swarm ready in ${ms(startMs)} (daemon pid ${swarm.daemon.pid})`);
  try {
    // Before anything else connects or starts: the swarm alone, idle.
    if (IDLE_AGENTS.includes(n)) results.idle.push(await measureIdle(swarm, n));
    const worker = await startBaselineWorker(redis, n, cleanups);
    try {
      const sdk = await swarm.sdk();
      const oursTrue = oursRunner(sdk, "true", null);
      const baseTrue = async (): Promise<void> => void (await worker.run("true"));
      if (n === 1) {
        const [ours, baseline] = await alternating(PLAN.dispatchWarmup, PLAN.dispatchN, PLAN.dispatchBlock, oursTrue, baseTrue);
        results.dispatch = { ours, baseline };
        say(`  dispatch \`true\`, ours (submit → result):                     ${describe(ours)}`);
        say(`  dispatch \`true\`, baseline (Queue.add → waitUntilFinished):   ${describe(baseline)}`);
      }
      const oursEcho = oursRunner(sdk, "echo x", "x");
      const baseEcho = async (): Promise<void> => {
        const out = await worker.run("echo x");
        if (out !== "x") throw new Error(`baseline job returned ${JSON.stringify(out)}`);
      };
      await burst(PLAN.burstWarmup * n, baseEcho);
      await burst(PLAN.burstWarmup * n, oursEcho);
      const r = row(results, n);
      // CPU of every process involved (with the children each has reaped), this one included.
      const basePids = [process.pid, worker.pid, redis.pid];
      const oursPids = [process.pid, ...swarmPids(swarm)];
      let cpu0 = cpuMs(basePids);
      r.baselineSec = await burst(PLAN.burst, baseEcho);
      r.baselineCpuMs = (cpuMs(basePids) - cpu0) / PLAN.burst;
      r.baseline = PLAN.burst / r.baselineSec;
      say(`  burst of ${PLAN.burst} \`echo x\`, baseline: ${r.baselineSec.toFixed(2)} s → ${rate(r.baseline)}; CPU ${r.baselineCpuMs.toFixed(2)} ms per task`);
      cpu0 = cpuMs(oursPids);
      r.oursSec = await burst(PLAN.burst, oursEcho);
      r.oursCpuMs = (cpuMs(oursPids) - cpu0) / PLAN.burst;
      r.ours = PLAN.burst / r.oursSec;
      say(`  burst of ${PLAN.burst} \`echo x\`, ours:     ${r.oursSec.toFixed(2)} s → ${rate(r.ours)} (${times(r.ours / r.baseline)} the baseline); CPU ${r.oursCpuMs.toFixed(2)} ms per task`);
    } finally {
      await worker.stop();
    }
  } finally {
    await swarm.stop();
  }
}

/** Sequential submit → result timings of two runners, in alternating blocks, after a warm-up of each. */
async function alternating(warmup: number, n: number, block: number, a: () => Promise<void>, b: () => Promise<void>): Promise<[Summary, Summary]> {
  for (let i = 0; i < warmup; i++) await a();
  for (let i = 0; i < warmup; i++) await b();
  const samples: [number[], number[]] = [[], []];
  const timed = async (run: () => Promise<void>, into: number[], count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await run();
      into.push(performance.now() - t0);
    }
  };
  for (let done = 0; done < n; done += block) {
    const count = Math.min(block, n - done);
    // Alternate which goes first in each round.
    if ((done / block) % 2 === 0) {
      await timed(a, samples[0], count);
      await timed(b, samples[1], count);
    } else {
      await timed(b, samples[1], count);
      await timed(a, samples[0], count);
    }
  }
  return [summarize(samples[0]), summarize(samples[1])];
}

/** The swarm's processes: daemon, redis-server, tmux server and the panes' programs. */
function swarmPids(swarm: BenchSwarm): number[] {
  const redis = Number.parseInt(readFileSync(swarm.paths.redisPid, "utf8"), 10);
  const tmuxServer = tmuxServerPid(swarm);
  return [swarm.daemon.pid!, redis, tmuxServer, ...childrenOf(tmuxServer).map((child) => child.pid)];
}

function tmuxServerPid(swarm: BenchSwarm): number {
  const shown = spawnSync("tmux", ["-S", swarm.paths.tmuxSocket, "display-message", "-p", "#{pid}"], { encoding: "utf8" });
  const pid = Number.parseInt(shown.stdout.trim(), 10);
  if (!Number.isInteger(pid)) throw new Error(`cannot find the tmux server's pid: ${shown.stderr}`);
  return pid;
}

function row(results: Results, n: number): Results["throughput"][number] {
  let entry = results.throughput.find((r) => r.n === n);
  if (!entry) results.throughput.push((entry = { n }));
  return entry;
}

/** CPU and memory of an idle swarm: sampled before any client connects, so the swarm is truly idle. */
async function measureIdle(swarm: BenchSwarm, agents: number): Promise<IdleFigures> {
  say(`  idle: settling ${PLAN.settleMs / 1000} s, then sampling CPU for ${PLAN.sampleMs / 1000} s`);
  await sleep(PLAN.settleMs);
  const daemon = swarm.daemon.pid!;
  const redis = Number.parseInt(readFileSync(swarm.paths.redisPid, "utf8"), 10);
  const tmuxServer = tmuxServerPid(swarm);
  const tmuxClients = childrenOf(daemon).filter((child) => child.comm.startsWith("tmux")).map((child) => child.pid);
  const panes = childrenOf(tmuxServer).map((child) => child.pid);
  const groups = { daemon: [daemon], redis: [redis], tmuxServer: [tmuxServer], tmuxClient: tmuxClients };
  const ticks = (pids: number[]): number => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpu ?? Number.NaN), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([key, pids]) => [key, ticks(pids)])) as Record<keyof typeof groups, number>;
  const t0 = performance.now();
  await sleep(PLAN.sampleMs);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = Object.fromEntries(
    Object.entries(groups).map(([key, pids]) => [key, ((ticks(pids) - before[key as keyof typeof groups]) / clockTicks() / seconds) * 100]),
  ) as IdleFigures["cpu"];
  const rss = (pids: number[]): number => pids.reduce((sum, pid) => sum + rssKb(pid), 0);
  const figures: IdleFigures = {
    agents,
    settleMs: PLAN.settleMs,
    sampleMs: PLAN.sampleMs,
    cpu,
    rssKb: { daemon: rss([daemon]), redis: rss([redis]), tmuxServer: rss([tmuxServer]), tmuxClient: rss(tmuxClients), panes: rss(panes) },
    paneCount: panes.length,
  };
  say(`  idle CPU (% of one core): daemon ${pct(cpu.daemon)}, redis ${pct(cpu.redis)}, tmux server ${pct(cpu.tmuxServer)}, tmux control client ${pct(cpu.tmuxClient)}`);
  say(`  idle RSS: daemon ${mb(figures.rssKb.daemon)}, redis ${mb(figures.rssKb.redis)}, tmux server ${mb(figures.rssKb.tmuxServer)}, tmux control client ${mb(figures.rssKb.tmuxClient)}, ${panes.length} pane processes ${mb(figures.rssKb.panes)}`);
  return figures;
}

/**
 * The real Claude Code (devDependency) in interactive mode against the
 * scripted Anthropic server of the tests: test/bench/claude-latency.ts, run
 * with tsx because it needs the test fixtures that the build leaves out.
 */
function measureClaudeLatency(): Results["claude"] {
  const claude = resolve(ROOT, "node_modules/.bin/claude");
  const tsx = resolve(ROOT, "node_modules/tsx/dist/cli.mjs");
  if (!existsSync(claude) || !existsSync(tsx)) return { skipped: "Claude Code or tsx is not installed (npm install with dev dependencies)" };
  const tasks = QUICK ? 10 : 30;
  say(`
agent completion latency: real Claude Code, interactive, ${tasks} tasks against the scripted Anthropic server`);
  const run = spawnSync(process.execPath, [tsx, "test/bench/claude-latency.ts"], {
    cwd: ROOT,
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

// ---------------------------------------------------------------- report

function machine(): Record<string, string> {
  const version = (cmd: string, args: string[]): string => spawnSync(cmd, args, { encoding: "utf8" }).stdout?.trim() || "not found";
  const bullmq = (() => {
    try {
      return (createRequire(import.meta.url)("bullmq/package.json") as { version: string }).version;
    } catch {
      return "?";
    }
  })();
  const git = (args: string[]): string | null => {
    const out = spawnSync("git", ["-C", ROOT, ...args], { encoding: "utf8" });
    return out.status === 0 ? out.stdout.trim() : null;
  };
  const head = git(["rev-parse", "--short", "HEAD"]);
  const revision = process.env.BENCH_REVISION ?? (head ? `${head}${git(["status", "--porcelain", "--untracked-files=no"]) ? " with uncommitted changes" : ""}` : "unknown");
  return {
    revision,
    nproc: String(availableParallelism()),
    cpu: cpus()[0]?.model.trim() ?? "?",
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GB`,
    kernel: release(),
    node: process.version,
    tmux: version("tmux", ["-V"]),
    bullmq,
  };
}

const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "met" : "**not met**");
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");

function report(results: Results): string {
  const { ours, baseline } = results.dispatch;
  const lines: string[] = [];
  const push = (...more: string[]): void => void lines.push(...more);
  const m = results.machine;
  push(
    "# Benchmarks",
    "",
    `Generated by \`npm run bench\` (scripts/bench.ts) on ${results.startedAt.toISOString()}, **${QUICK ? "quick mode (BENCH_QUICK=1): fewer iterations, less reliable" : "full mode"}**; the run took ${(((results.finishedAt ?? new Date()).getTime() - results.startedAt.getTime()) / 1000).toFixed(0)} s. Do not edit by hand: run the bench again.`,
    "",
    `Code: ${m.revision}.`,
    "",
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory} RAM, Linux ${m.kernel}; node ${m.node}, ${m.tmux}, redis-server ${m.redis}, bullmq ${m.bullmq}. Load average (1 min) ${results.load.start.toFixed(2)} at the start, ${results.load.end?.toFixed(2) ?? "?"} at the end: figures from a loaded machine are slower for ours and the baseline alike, which is why each is shown beside the other, measured alternately.`,
    "",
    "## Against the targets (BRIEF.md, \"Performance goals\")",
    "",
    "| Measure | Ours | Baseline: bare BullMQ + execa | Target | Verdict |",
    "| --- | --- | --- | --- | --- |",
  );
  if (ours && baseline) {
    const ratio = ours.p50 / baseline.p50;
    push(
      `| Dispatch \`true\`, p50 | ${ms(ours.p50)} | ${ms(baseline.p50)} | ≤ 10 ms | ${verdict(ours.p50 <= 10)} |`,
      `| Dispatch \`true\`, p95 | ${ms(ours.p95)} | ${ms(baseline.p95)} | ≤ 25 ms | ${verdict(ours.p95 <= 25)} |`,
      `| Dispatch \`true\`, p99 | ${ms(ours.p99)} | ${ms(baseline.p99)} | — | — |`,
      `| Dispatch p50, ours ÷ baseline | ${times(ratio)} | 1× | ≤ 3× | ${verdict(ratio <= 3)} |`,
    );
  }
  for (const r of [...results.throughput].sort((a, b) => a.n - b.n)) {
    const target = r.n === 8 ? "≥ baseline" : "— (no target)";
    const ok = r.n === 8 && r.ours !== undefined && r.baseline !== undefined ? r.ours >= r.baseline : undefined;
    const ratio = r.ours !== undefined && r.baseline !== undefined ? ` (${times(r.ours / r.baseline)})` : "";
    push(`| Throughput, ${r.n} agent${r.n > 1 ? "s" : ""} / concurrency ${r.n} | ${r.ours !== undefined ? rate(r.ours) : "n/a"}${ratio} | ${r.baseline !== undefined ? rate(r.baseline) : "n/a"} | ${target} | ${r.n === 8 ? verdict(ok) : "—"} |`);
  }
  for (const r of results.throughput.filter((t) => t.n === 8 && t.oursCpuMs !== undefined && t.baselineCpuMs !== undefined)) {
    push(`| CPU per task in the 8-way burst (all processes) | ${ms(r.oursCpuMs!)} (${times(r.oursCpuMs! / r.baselineCpuMs!)}) | ${ms(r.baselineCpuMs!)} | — (see Throughput below) | — |`);
  }
  if (results.claude && "latency" in results.claude) {
    const { latency } = results.claude;
    push(`| Agent completion latency (interactive Claude Code), median | ${ms(latency.p50)} (p95 ${ms(latency.p95)}) | — | ≤ 100 ms | ${verdict(latency.p50 <= 100)} |`);
  } else if (results.claude) {
    push(`| Agent completion latency (interactive Claude Code), median | not measured: ${results.claude.skipped} | — | ≤ 100 ms | not measured |`);
  }
  for (const idle of results.idle) {
    const oursCpu = idle.cpu.daemon + idle.cpu.redis;
    const tmuxCpu = idle.cpu.tmuxServer + idle.cpu.tmuxClient;
    const oursRss = idle.rssKb.daemon + idle.rssKb.redis;
    const tmuxRss = idle.rssKb.tmuxServer + idle.rssKb.tmuxClient;
    push(
      `| Idle CPU, ${idle.agents} agents: ours (daemon + redis) | ${pct(oursCpu)} of a core | — | | |`,
      `| Idle CPU, ${idle.agents} agents: tmux (server + control client) | ${pct(tmuxCpu)} of a core | — | | |`,
      `| Idle CPU, ${idle.agents} agents: total | ${pct(oursCpu + tmuxCpu)} of a core | — | < 2 % of a core | ${verdict(oursCpu + tmuxCpu < 2)} |`,
      `| Idle RSS, ${idle.agents} agents: ours (daemon + redis) | ${mb(oursRss)} | — | < 300 MB | ${verdict(oursRss < 300 * 1024)} |`,
      `| Idle RSS, ${idle.agents} agents: tmux (server + control client) | ${mb(tmuxRss)} | — | — | — |`,
      `| Idle RSS, ${idle.agents} agents: total | ${mb(oursRss + tmuxRss)} | — | — | — |`,
    );
  }
  push("", "## Details", "");
  if (ours && baseline) {
    push(
      `### Dispatch overhead`,
      "",
      `Submit → result of \`true\` on one shell agent with 1 replica, one task at a time: ${PLAN.dispatchWarmup} warm-up tasks each, then ${PLAN.dispatchN} timed each, ours and the baseline alternating in blocks of ${PLAN.dispatchBlock}. Ours: the daemon (\`claude-agent up\`) runs in a child process; this process submits through the SDK (\`swarm.submit\`, \`handle.result()\`). Baseline: \`Queue.add\` → \`job.waitUntilFinished(queueEvents)\` against a worker child process with concurrency 1.`,
      "",
      "| | n | min | mean | p50 | p95 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...[["Ours", ours], ["Baseline", baseline]].map(([name, s]) => {
        const x = s as Summary;
        return `| ${name as string} | ${x.n} | ${ms(x.min)} | ${ms(x.mean)} | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.p99)} | ${ms(x.max)} |`;
      }),
      "",
    );
  }
  push(
    "### Throughput",
    "",
    `A burst of ${PLAN.burst} \`echo x\` tasks submitted at once (Promise.all over submit → result), timed from the first submit to the last result, after a warm-up burst of ${PLAN.burstWarmup}× the agent count; at each scale the baseline's burst runs right before ours. "N agents" is one shell agent with \`replicas: N\` (one shared queue), like the baseline worker's concurrency N. Every result is checked (status completed, output \`x\`).`,
    "",
    "| Agents / concurrency | Ours | Ours, seconds | Ours, CPU per task | Baseline | Baseline, seconds | Baseline, CPU per task |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...[...results.throughput].sort((a, b) => a.n - b.n).map((r) => `| ${r.n} | ${r.ours !== undefined ? rate(r.ours) : "n/a"} | ${r.oursSec?.toFixed(2) ?? "n/a"} | ${r.oursCpuMs !== undefined ? ms(r.oursCpuMs) : "n/a"} | ${r.baseline !== undefined ? rate(r.baseline) : "n/a"} | ${r.baselineSec?.toFixed(2) ?? "n/a"} | ${r.baselineCpuMs !== undefined ? ms(r.baselineCpuMs) : "n/a"} |`),
    "",
    "CPU per task is the CPU time (user + system) that every process involved used during the burst, divided by the number of tasks, whatever the wall-clock rate: the submitting process (this one), and for ours the daemon, redis-server, the tmux server and the panes' shells with the commands they ran; for the baseline the worker with the `bash` processes it spawned, and its redis-server. On a machine with few cores, or a busy one, throughput is bounded by it. It is also the figure to trust when the load average above is high: under contention from other processes, a pipeline of many processes (ours: daemon, redis-server, tmux, a shell per agent) gets a larger share of the CPU than the baseline's single worker process, which flatters ours in tasks/s; CPU per task depends much less on that (it does rise somewhat on a busy machine, for both).",
    "",
  );
  if (results.idle.length > 0) {
    const first = results.idle[0]!;
    const resolution = 100 / clockTicks() / (first.sampleMs / 1000);
    push(
      "### Idle cost",
      "",
      `Swarms of idle shell agents (one agent with \`replicas: N\`), ${first.settleMs / 1000} s after the daemon reported ready, before any client connected. CPU is utime+stime from /proc/<pid>/stat over ${first.sampleMs / 1000} s (children not included; one clock tick is ${pct(resolution)} of a core over that time, so 0 means less than that); memory is VmRSS. BRIEF.md states the idle target for 64 agents${results.idle.some((i) => i.agents === 64) ? "" : ", which this run did not measure"}.`,
      "",
      `| Process | ${results.idle.map((i) => `${i.agents} agents: CPU, % of a core | RSS`).join(" | ")} |`,
      `| --- | ${results.idle.map(() => "--- | ---").join(" | ")} |`,
      `| daemon (\`claude-agent up\`: bridge + supervisor) | ${results.idle.map((i) => `${pct(i.cpu.daemon)} | ${mb(i.rssKb.daemon)}`).join(" | ")} |`,
      `| redis-server (embedded) | ${results.idle.map((i) => `${pct(i.cpu.redis)} | ${mb(i.rssKb.redis)}`).join(" | ")} |`,
      `| tmux server | ${results.idle.map((i) => `${pct(i.cpu.tmuxServer)} | ${mb(i.rssKb.tmuxServer)}`).join(" | ")} |`,
      `| tmux control client (\`tmux -C\`, the daemon's child) | ${results.idle.map((i) => `${pct(i.cpu.tmuxClient)} | ${mb(i.rssKb.tmuxClient)}`).join(" | ")} |`,
      `| pane programs (the agents' shells and the hub's placeholder; not sampled for CPU, not in the totals) | ${results.idle.map((i) => `— | ${mb(i.rssKb.panes)} (${i.paneCount})`).join(" | ")} |`,
      "",
    );
  }
  if (results.claude && "latency" in results.claude) {
    const { latency, stopHook } = results.claude;
    push(
      "### Agent completion latency",
      "",
      `The real Claude Code (the pinned devDependency) in interactive mode, its TUI in a pane of a swarm, answering ${latency.n} \`[[plain]]\` prompts one after another (after 3 warm-up ones) from the scripted Anthropic server of the tests (test/bench/claude-latency.ts). Each prompt makes the model write the result file, then answer. Measured from the moment the server finished sending the final answer ("the model's last token") to the result's \`finishedAt\`, and to the \`Stop\` hook's own timestamp. Between the two, the bridge waits for Claude Code to write the turn's last lines to its transcript (token counts), which it does up to ~120 ms after the hook.`,
      "",
      "| | n | min | mean | p50 | p95 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...[["model's last byte → result recorded", latency], ["model's last byte → `Stop` hook", stopHook]].map(([name, s]) => {
        const x = s as Summary;
        return `| ${name as string} | ${x.n} | ${ms(x.min)} | ${ms(x.mean)} | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.p99)} | ${ms(x.max)} |`;
      }),
      "",
    );
  }
  if (results.startup.length > 0) {
    push(
      "### Start-up (for information)",
      "",
      "From spawning `claude-agent up` to its ready file (fresh home: redis-server, tmux server, panes, shell handshakes).",
      "",
      "| Replicas | Time to ready |",
      "| --- | --- |",
      ...results.startup.map((s) => `| ${s.replicas} | ${ms(s.ms)} |`),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const cleanups = new Cleanups();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: cleaning up…\n`);
    void cleanups.runAll((line) => process.stderr.write(`${line}\n`)).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const results: Results = {
    startedAt: new Date(),
    machine: { ...machine(), redis: (await redisServerVersion()) ?? "not found" },
    dispatch: {},
    throughput: [],
    startup: [],
    idle: [],
    load: { start: loadavg()[0]! },
  };
  const m = results.machine;
  say(`claude-agent bench (${QUICK ? "quick mode" : "full mode"}): ${m.nproc} CPUs, node ${m.node}, ${m.tmux}, redis-server ${m.redis}, bullmq ${m.bullmq}`);
  try {
    await measureAll(results, cleanups);
    results.claude = measureClaudeLatency();
  } finally {
    await cleanups.runAll();
  }
  results.finishedAt = new Date();
  results.load.end = loadavg()[0]!;
  const text = report(results);
  writeFileSync(OUT, text);
  say(`\n${text.slice(text.indexOf("## Against"), text.indexOf("## Details")).trim()}\n\nwritten to ${OUT}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
