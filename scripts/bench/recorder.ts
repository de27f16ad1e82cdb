/**
 * What the flight recorder costs during a burst: one swarm, one daemon, two
 * shell agents of 8 replicas each, alike but for `record: false` on one, run
 * bursts of `echo x` in turn (each round in the other order), so that a
 * drifting machine load skews both alike. Both sides share the daemon (its
 * code compiled, its file pools filled by a long warm-up), the home, Redis
 * and the tmux server; the only difference is whether the recorder works on
 * the tasks. Earlier designs differed in more than the recorder: two swarms
 * side by side (on this machine's ext4 a file created in one fresh folder can
 * cost 30 times what it costs in another: fileCreateCpuMs), then one swarm
 * whose daemon was started again before each burst with the recorder on or
 * off (each burst then ran on a daemon whose code V8 was still compiling:
 * its profile showed the optimizing compiler among the top frames, and one
 * burst's CPU varied by ±0.5 ms per task from the next). Measured: the
 * bursts' throughput, the CPU of every process of the swarm (daemon,
 * redis-server, tmux server, panes) and of this process, and of the daemon
 * alone (where the recorder runs) per task, each round's difference (for a
 * confidence interval), and the recordings' size. Idle, the recorder listens
 * to nothing (it subscribes to the pane stream only while a task is
 * recorded), so the idle figures above are its idle cost.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseCast, SpareFiles } from "../../core/index.js";
import { CastWriter } from "../../sessions/index.js";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cleanups } from "./cleanup.js";
import { cpuMs } from "./procfs.js";
import type { Plan } from "./results.js";
import { startBenchSwarm, type BenchSwarm } from "./swarm.js";
import { swarmPids } from "./swarm-processes.js";

const REPLICAS = 8;
const RECORDED = "recorded";
const UNRECORDED = "unrecorded";
/** Rounds of one burst on each agent (an even number: see shareInterval). One burst's CPU per task varies by ±0.5 ms from the next on this machine, so the difference needs many. */
const ROUNDS = 16;
const SETTLE_MS = 1500;
/** Tasks run on each agent before the first measured burst: the daemon's code compiled and its file pools filled. */
const WARM_UP = 600;
const RESULT_TIMEOUT_MS = 120_000;

const YAML = [RECORDED, UNRECORDED]
  .map((name) => `  - name: ${name}\n    runtime: shell\n    replicas: ${REPLICAS}\n    timeout: 120\n${name === UNRECORDED ? "    record: false\n" : ""}`)
  .join("");

export interface RecorderSide {
  tasks: number;
  seconds: number;
  /** CPU ms per task: every process of the swarm. */
  cpuMs: number;
  /** CPU ms per task: the daemon alone. */
  daemonCpuMs: number;
}

export interface RecorderFigures {
  on: RecorderSide;
  off: RecorderSide;
  /** Each round's whole-swarm CPU per task, recorded minus unrecorded, in ms. */
  roundDiffsMs: number[];
  /** Bytes of recording per task (`echo x`: the typed line, the preview, the output, the markers). */
  castBytesPerTask: number;
  /** The recorder's own work per task, re-done in this process on the burst's recordings (CastWriter: file, events, close), CPU ms. */
  writerCpuMs: number;
}

export async function measureRecorderCost(plan: Plan, cleanups: Cleanups, say: (line: string) => void): Promise<RecorderFigures> {
  const size = Math.max(50, Math.round(plan.burst / 2));
  say(
    `\nflight recorder: one swarm, two shell agents × ${REPLICAS} replicas alike but for \`record: false\` on one, warmed up with ${WARM_UP} tasks each; ${ROUNDS} rounds of a ${size}-task \`echo x\` burst on each, alternating, each burst's CPU read after a ${SETTLE_MS / 1000} s settle`,
  );
  const swarm = await startBenchSwarm(REPLICAS, cleanups, `agents:\n${YAML}`);
  const agentOf = { on: RECORDED, off: UNRECORDED } as const;
  try {
    for (let done = 0; done < WARM_UP; done += 100) for (const name of ["on", "off"] as const) await burst(swarm, agentOf[name], 100);
    const sides = { on: empty(), off: empty() };
    const roundDiffsMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each burst's CPU read after a settle, so that work it leaves behind (the history writer catching up,
      // a recording's last write) is counted for it, not for the next one.
      const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
      const used = { on: 0, off: 0 };
      for (const name of order) {
        const pids = swarmPids(swarm);
        await sleep(SETTLE_MS);
        const cpu0 = cpuMs([process.pid, ...pids]);
        const daemon0 = cpuMs([swarm.daemon.pid!]);
        const seconds = await burst(swarm, agentOf[name], size);
        await sleep(SETTLE_MS);
        const side = sides[name];
        used[name] = cpuMs([process.pid, ...pids]) - cpu0;
        const daemonUsed = cpuMs([swarm.daemon.pid!]) - daemon0;
        side.tasks += size;
        side.seconds += seconds;
        side.cpuMs += used[name];
        side.daemonCpuMs += daemonUsed;
        say(
          `  round ${round + 1}, recorder ${name.padEnd(3)}: CPU per task ${(used[name] / size).toFixed(2)} ms (daemon ${(daemonUsed / size).toFixed(2)} ms)`,
        );
      }
      roundDiffsMs.push((used.on - used.off) / size);
    }
    const figures: RecorderFigures = {
      on: perTask(sides.on),
      off: perTask(sides.off),
      roundDiffsMs,
      castBytesPerTask: castBytes(swarm),
      writerCpuMs: rewrite(swarm),
    };
    for (const name of ["off", "on"] as const) {
      const s = figures[name];
      say(
        `  recorder ${name.padEnd(3)}: ${(s.tasks / s.seconds).toFixed(0)} tasks/s; CPU per task ${s.cpuMs.toFixed(2)} ms (daemon ${s.daemonCpuMs.toFixed(2)} ms)`,
      );
    }
    const interval = shareInterval(figures);
    say(
      `  the recorder's share of the burst's CPU: ${share(figures).toFixed(1)} % (95 % interval ${interval.low.toFixed(1)} to ${interval.high.toFixed(1)} %); ${figures.castBytesPerTask.toFixed(0)} bytes of recording per task`,
    );
    say(
      `  the recorder's own work, re-done here on the burst's recordings: ${figures.writerCpuMs.toFixed(3)} ms CPU per task (${((figures.writerCpuMs / figures.on.cpuMs) * 100).toFixed(1)} % of a recorded task's CPU)`,
    );
    return figures;
  } finally {
    await swarm.stop();
  }
}

/** The recorder's cost as a share of the whole burst's CPU with it on (negative: lost in the noise). */
export function share(figures: RecorderFigures): number {
  return ((figures.on.cpuMs - figures.off.cpuMs) / figures.on.cpuMs) * 100;
}

/**
 * The 95 % confidence interval of the share (Student's t), from the rounds' paired differences taken two
 * rounds at a time. A round's two bursts ran back to back, so a drift of the machine's load cancels within
 * it; and the two rounds of a pair ran in opposite orders, which cancels the order's own effect: in one run
 * the burst that followed a burst on the same agent used 0.7 ms per task more than the one that switched
 * agents, whichever side it was, which alone would widen an interval of single rounds several-fold.
 */
export function shareInterval(figures: Pick<RecorderFigures, "on" | "roundDiffsMs">): { low: number; high: number } {
  const pairs: number[] = [];
  for (let i = 0; i + 1 < figures.roundDiffsMs.length; i += 2) pairs.push((figures.roundDiffsMs[i]! + figures.roundDiffsMs[i + 1]!) / 2);
  const n = pairs.length;
  if (n < 2) return { low: Number.NaN, high: Number.NaN };
  const mean = pairs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(pairs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  return { low: ((mean - half) / figures.on.cpuMs) * 100, high: ((mean + half) / figures.on.cpuMs) * 100 };
}

/** Student's t, two-sided 95 %, for `df` degrees of freedom (a table: the bench runs a handful of rounds). */
function tQuantile975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131];
  return table[df - 1] ?? 1.96 + 2.5 / df;
}

function empty(): RecorderSide {
  return { tasks: 0, seconds: 0, cpuMs: 0, daemonCpuMs: 0 };
}

function perTask(side: RecorderSide): RecorderSide {
  return { ...side, cpuMs: side.cpuMs / side.tasks, daemonCpuMs: side.daemonCpuMs / side.tasks };
}

async function burst(swarm: BenchSwarm, agent: string, count: number): Promise<number> {
  const sdk = await swarm.sdk();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      const handle = await sdk.submit({ task: "echo x", agent });
      const result = await handle.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
      if (result.status !== "completed" || result.output.trim() !== "x") throw new Error(`task ${handle.id} ended ${result.status}`);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** Writes every recording of the burst again through a CastWriter, event by event as the stream gave them; CPU ms per recording. */
function rewrite(swarm: BenchSwarm): number {
  const names = readdirSync(swarm.paths.outputDir).filter((name) => name.endsWith(".cast"));
  const casts = names.map((name) => parseCast(readFileSync(join(swarm.paths.outputDir, name), "utf8"), name));
  const dir = mkdtempSync(join(tmpdir(), "cab-cast-"));
  // As in the daemon, each recording is made from a finished dispatch's file (core/spare-files.ts): giving that
  // back is the dispatch's cleanup, not the recorder's work, so it happens off the clock.
  const spares = new SpareFiles(join(dir, ".spare"));
  let used = 0;
  try {
    casts.forEach((cast, i) => {
      const job = join(dir, `${i}.job`);
      writeFileSync(job, "a finished dispatch's file");
      spares.give(job);
      const t0 = process.cpuUsage();
      const writer = new CastWriter({
        file: join(dir, `${i}.cast`),
        header: { width: cast.header.width, height: cast.header.height, title: cast.header.title ?? "" },
        label: (fields) => fields[0] ?? null,
        spares,
      });
      for (const [, code, data] of cast.events) {
        if (code === "o") writer.output(Buffer.from(data, "utf8").toString("latin1"));
        else if (code === "i") writer.input(data);
        else if (code === "m") writer.marker(data);
      }
      void writer.close();
      const spent = process.cpuUsage(t0);
      used += spent.user + spent.system;
    });
    return used / 1000 / Math.max(1, casts.length);
  } finally {
    spares.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes per recording (only the bursts with the recorder on leave one). */
function castBytes(swarm: BenchSwarm): number {
  const casts = readdirSync(swarm.paths.outputDir).filter((name) => name.endsWith(".cast"));
  return casts.reduce((sum, name) => sum + statSync(join(swarm.paths.outputDir, name)).size, 0) / Math.max(1, casts.length);
}
