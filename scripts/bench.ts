/**
 * `npm run bench`: the project's performance figures (dispatch overhead,
 * throughput, agent completion latency, idle cost, the control plane's, the web dashboard's), each beside a bare BullMQ-plus-execa baseline measured in the same run, and
 * written to BENCHMARKS.md. Everything runs in temp homes and is torn down
 * (daemon, tmux server, redis-server, files) even on failure or Ctrl-C.
 *
 *   npm run bench                 full run (~12 minutes, the peer-style part ~2.5 of them, the many hosts ~3.5, the control plane ~1.5, the web dashboard ~1)
 *   BENCH_QUICK=1 npm run bench   smaller run (~5 minutes)
 *   BENCH_ONLY=sandbox npm run bench   only the sandbox's cost per task, printed (BENCHMARKS.md left as it is)
 *   BENCH_ONLY=recorder npm run bench  only the flight recorder's cost in a burst, printed
 *   BENCH_ONLY=peer npm run bench      only the peer-style baseline (send-keys + capture-pane polling) beside the bare baseline, printed
 *   BENCH_PEER=ntm|ccmanager           the peer-style baseline with that tool's timings (default: claude-squad's; scripts/bench/peer-bench.ts)
 *   BENCH_ONLY=api npm run bench       only the control plane's figures (API vs SDK submit → result, SSE fan-out CPU, /metrics with 64 agents), printed
 *   BENCH_ONLY=web npm run bench       only the web dashboard's (first paint with 64 agents, a 1,000-task burst with the page open, terminal latency), printed;
 *                                      needs /usr/bin/chromium (without it the web figures are skipped, and BENCHMARKS.md says so)
 *   BENCH_ONLY=history npm run bench   only the history's figures (the writer in a burst, task search over 1,000,000 tasks, memory search over 100,000 entries), printed
 *   BENCH_ONLY=hosts npm run bench     only the many-hosts figures (bursts on 1, 2 and 3 simulated hosts, a host killed mid-task, leader failover), printed
 *   BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"   node options for every daemon the bench starts (a CPU profile of each)
 *
 * Timings belong here only: tests never assert them.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { redisServerVersion } from "../core/index.js";
import { alternating } from "./bench/alternate.js";
import { measureApiFigures } from "./bench/api.js";
import { apiSummary } from "./bench/api-report.js";
import { historySummary, measureHistoryFigures } from "./bench/history-report.js";
import { measureHostsFigures } from "./bench/hosts.js";
import { hostsSummary } from "./bench/hosts-report.js";
import { measureWebFigures } from "./bench/web.js";
import { webSummary } from "./bench/web-report.js";
import { startBaselineRedis, startBaselineWorker, type BaselineRedis } from "./bench/baseline.js";
import { Cleanups } from "./bench/cleanup.js";
import { childrenOf, clockTicks, cpuMs, readStat, rssKb } from "./bench/procfs.js";
import { measureClaudeLatency } from "./bench/claude.js";
import { peerSummary, report, times } from "./bench/report.js";
import { planFor, type IdleFigures, type Results } from "./bench/results.js";
import { measurePeer, PEER_PROFILES } from "./bench/peer-bench.js";
import { measureRecorderCost } from "./bench/recorder.js";
import { measureSandboxOverhead } from "./bench/sandbox.js";
import { describe, mb, ms, pct, rate, summarize } from "./bench/stats.js";
import { AGENT, fileCreateCpuMs, startBenchSwarm, type BenchSwarm } from "./bench/swarm.js";
import { partsCpuMs, perTask, swarmParts, tmuxServerPid, type Parts } from "./bench/swarm-processes.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = resolve(HERE, "../..");
const OUT = process.env.BENCH_OUT ?? resolve(ROOT, "BENCHMARKS.md");
const QUICK = process.env.BENCH_QUICK === "1";
const ONLY = process.env.BENCH_ONLY ?? null;
const PEER = PEER_PROFILES[process.env.BENCH_PEER ?? "claude-squad"];

const PLAN = planFor(QUICK);
const IDLE_AGENTS: number[] = process.env.BENCH_IDLE_AGENTS ? process.env.BENCH_IDLE_AGENTS.split(",").map(Number) : PLAN.idleAgents;
const RESULT_TIMEOUT_MS = 120_000;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

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
      throw new Error(
        `task ${handle.id} (${task}) ended ${result.status} with ${JSON.stringify(result.output.slice(0, 200))}${result.reason ? `: ${result.reason}` : ""}`,
      );
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
  say(
    `\nscale ${n}: swarm of 1 shell agent × ${n} replica${n > 1 ? "s" : ""} (daemon \`claude-agent up\` in a child process) | baseline worker with concurrency ${n}`,
  );
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
        // The same with a new command each time: the bridge checks each against the policy in its worker thread,
        // where a repeated `true` is answered from the verdicts it already reached.
        let k = 0;
        const distinct = (): string => `true #${++k}`;
        const [oursNew, baseNew] = await alternating(
          PLAN.dispatchWarmup,
          PLAN.dispatchN,
          PLAN.dispatchBlock,
          () => oursRunner(sdk, distinct(), null)(),
          async () => void (await worker.run(distinct())),
        );
        results.dispatchDistinct = { ours: oursNew, baseline: baseNew };
        say(`  dispatch of a new command each time (\`true #N\`), ours:         ${describe(oursNew)}`);
        say(`  dispatch of a new command each time (\`true #N\`), baseline:     ${describe(baseNew)}`);
      }
      const oursEcho = oursRunner(sdk, "echo x", "x");
      const baseEcho = async (): Promise<void> => {
        const out = await worker.run("echo x");
        if (out !== "x") throw new Error(`baseline job returned ${JSON.stringify(out)}`);
      };
      await burst(PLAN.burstWarmup, baseEcho);
      await burst(PLAN.burstWarmup, oursEcho);
      const r = row(results, n);
      // CPU of every process involved (with the children each has reaped), this one included, by process.
      const baseParts: Parts = { "this process (the client)": [process.pid], "the worker (its `bash -c` included)": [worker.pid], "redis-server": [redis.pid] };
      const oursParts = swarmParts(swarm);
      const basePids = Object.values(baseParts).flat();
      const oursPids = Object.values(oursParts).flat();
      let parts0 = partsCpuMs(baseParts);
      let cpu0 = cpuMs(basePids);
      r.baselineSec = await burst(PLAN.burst, baseEcho);
      r.baselineCpuMs = (cpuMs(basePids) - cpu0) / PLAN.burst;
      r.baselineParts = perTask(partsCpuMs(baseParts), parts0, PLAN.burst);
      r.baseline = PLAN.burst / r.baselineSec;
      say(`  burst of ${PLAN.burst} \`echo x\`, baseline: ${r.baselineSec.toFixed(2)} s → ${rate(r.baseline)}; CPU ${r.baselineCpuMs.toFixed(2)} ms per task`);
      parts0 = partsCpuMs(oursParts);
      cpu0 = cpuMs(oursPids);
      r.oursSec = await burst(PLAN.burst, oursEcho);
      r.oursCpuMs = (cpuMs(oursPids) - cpu0) / PLAN.burst;
      r.oursParts = perTask(partsCpuMs(oursParts), parts0, PLAN.burst);
      r.ours = PLAN.burst / r.oursSec;
      say(
        `  burst of ${PLAN.burst} \`echo x\`, ours:     ${r.oursSec.toFixed(2)} s → ${rate(r.ours)} (${times(r.ours / r.baseline)} the baseline); CPU ${r.oursCpuMs.toFixed(2)} ms per task`,
      );
    } finally {
      await worker.stop();
    }
  } finally {
    await swarm.stop();
  }
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
  const tmuxClients = childrenOf(daemon)
    .filter((child) => child.comm.startsWith("tmux"))
    .map((child) => child.pid);
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
  say(
    `  idle CPU (% of one core): daemon ${pct(cpu.daemon)}, redis ${pct(cpu.redis)}, tmux server ${pct(cpu.tmuxServer)}, tmux control client ${pct(cpu.tmuxClient)}`,
  );
  say(
    `  idle RSS: daemon ${mb(figures.rssKb.daemon)}, redis ${mb(figures.rssKb.redis)}, tmux server ${mb(figures.rssKb.tmuxServer)}, tmux control client ${mb(figures.rssKb.tmuxClient)}, ${panes.length} pane processes ${mb(figures.rssKb.panes)}`,
  );
  return figures;
}

function peerProfile(): NonNullable<typeof PEER> {
  if (!PEER) throw new Error(`BENCH_PEER: no profile ${JSON.stringify(process.env.BENCH_PEER)}; profiles are ${Object.keys(PEER_PROFILES).join(", ")}`);
  return PEER;
}

/** BENCH_ONLY=peer: the bare baseline's dispatch and 8-way burst, for the peer-style figures to stand beside. */
async function measureBaselineAlone(results: Results, cleanups: Cleanups): Promise<void> {
  say(`baseline: bare BullMQ Worker + execa \`bash -c\` in a child process, on a private redis-server (unix socket, AOF everysec)`);
  const redis = await startBaselineRedis(cleanups);
  try {
    for (const n of [1, 8]) {
      const worker = await startBaselineWorker(redis, n, cleanups);
      try {
        if (n === 1) {
          const samples: number[] = [];
          for (let i = 0; i < PLAN.dispatchWarmup + PLAN.dispatchN; i++) {
            const t0 = performance.now();
            await worker.run("true");
            if (i >= PLAN.dispatchWarmup) samples.push(performance.now() - t0);
          }
          results.dispatch.baseline = summarize(samples);
          say(`  dispatch \`true\`, baseline (Queue.add → waitUntilFinished): ${describe(results.dispatch.baseline)}`);
          continue;
        }
        const echo = async (): Promise<void> => {
          const out = await worker.run("echo x");
          if (out !== "x") throw new Error(`baseline job returned ${JSON.stringify(out)}`);
        };
        await burst(PLAN.burstWarmup, echo);
        const pids = [process.pid, worker.pid, redis.pid];
        const cpu0 = cpuMs(pids);
        const r = row(results, n);
        r.baselineSec = await burst(PLAN.burst, echo);
        r.baselineCpuMs = (cpuMs(pids) - cpu0) / PLAN.burst;
        r.baseline = PLAN.burst / r.baselineSec;
        say(`  burst of ${PLAN.burst} \`echo x\`, baseline, concurrency ${n}: ${rate(r.baseline)}; CPU ${r.baselineCpuMs.toFixed(2)} ms per task`);
      } finally {
        await worker.stop();
      }
    }
  } finally {
    await redis.stop();
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
  const revision =
    process.env.BENCH_REVISION ?? (head ? `${head}${git(["status", "--porcelain", "--untracked-files=no"]) ? " with uncommitted changes" : ""}` : "unknown");
  return {
    revision,
    nproc: String(availableParallelism()),
    cpu: cpus()[0]?.model.trim() ?? "?",
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GB`,
    kernel: release(),
    node: process.version,
    tmux: version("tmux", ["-V"]),
    bullmq,
    tmpdir: tmpdir(),
    fileCreateMs: ((cost) => `${cost.min.toFixed(3)}–${cost.max.toFixed(3)}`)(fileCreateCpuMs()),
  };
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
    plan: PLAN,
    startedAt: new Date(),
    machine: { ...machine(), redis: (await redisServerVersion()) ?? "not found" },
    dispatch: {},
    throughput: [],
    startup: [],
    idle: [],
    load: { start: loadavg()[0]! },
  };
  const m = results.machine;
  say(
    `claude-agent bench (${QUICK ? "quick mode" : "full mode"}): ${m.nproc} CPUs, node ${m.node}, ${m.tmux}, redis-server ${m.redis}, bullmq ${m.bullmq}; creating a file in a fresh folder of ${m.tmpdir}: ${m.fileCreateMs} ms CPU`,
  );
  try {
    if (ONLY === "sandbox") {
      results.sandbox = await measureSandboxOverhead(PLAN, cleanups, say);
      if ("skipped" in results.sandbox) say(`  not measured: ${results.sandbox.skipped}`);
      return;
    }
    if (ONLY === "recorder") {
      results.recorder = await measureRecorderCost(PLAN, cleanups, say);
      return;
    }
    if (ONLY === "peer") {
      await measureBaselineAlone(results, cleanups);
      results.peer = await measurePeer(peerProfile(), PLAN.peer, cleanups, say);
      say(`\n${peerSummary(results)}`);
      return;
    }
    if (ONLY === "api") {
      results.api = await measureApiFigures(QUICK, cleanups, say);
      say(`\n${apiSummary(results.api)}`);
      return;
    }
    if (ONLY === "history") {
      results.history = await measureHistoryFigures(QUICK, cleanups, say);
      say(`\n${historySummary(results.history)}`);
      return;
    }
    if (ONLY === "web") {
      results.web = await measureWebFigures(QUICK, cleanups, say);
      say(`\n${webSummary(results.web)}`);
      return;
    }
    if (ONLY === "hosts") {
      results.hosts = await measureHostsFigures(QUICK, cleanups, say);
      say(`\n${hostsSummary(results.hosts)}`);
      return;
    }
    await measureAll(results, cleanups);
    results.peer = await measurePeer(peerProfile(), PLAN.peer, cleanups, say);
    results.sandbox = await measureSandboxOverhead(PLAN, cleanups, say);
    results.recorder = await measureRecorderCost(PLAN, cleanups, say);
    results.api = await measureApiFigures(QUICK, cleanups, say);
    results.history = await measureHistoryFigures(QUICK, cleanups, say);
    results.web = await measureWebFigures(QUICK, cleanups, say);
    results.hosts = await measureHostsFigures(QUICK, cleanups, say);
    results.claude = measureClaudeLatency(ROOT, PLAN.claudeTasks, say);
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
