/**
 * What the flight recorder costs during a burst: one swarm of one shell
 * agent × 8 replicas runs bursts of `echo x` with the recorder on (the
 * default) and off (its daemon started with `CLAUDE_AGENT_RECORDER=off`), in
 * turn (off, on, on, off, …) so that a drifting machine load skews both
 * alike. Before each burst the daemon is started again with the side's
 * setting (its tmux server, panes and Redis stay) and warmed up, so both
 * sides have the same home, files, panes and Redis, and a daemon of the same
 * age. Two swarms side by side, as this was first measured, differ in more
 * than the recorder: on this machine's ext4 a file created in one fresh
 * folder can cost 30 times what it costs in another (fileCreateCpuMs), and
 * the second burst of a pair read higher in most pairs. Measured: the
 * bursts' throughput, the CPU of every process of the swarm (daemon,
 * redis-server, tmux server, panes) and of the daemon alone (where the
 * recorder runs) per task, and the recordings' size. Idle, the recorder
 * listens to nothing (it subscribes to the pane stream only while a task is
 * recorded), so the idle figures above are its idle cost.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseCast, SpareFiles } from "../../core/index.js";
import { CastWriter } from "../../sessions/index.js";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cleanups } from "./cleanup.js";
import { childrenOf, cpuMs } from "./procfs.js";
import type { Plan } from "./results.js";
import { AGENT, startBenchSwarm, type BenchSwarm } from "./swarm.js";

const REPLICAS = 8;
/** Rounds of bursts, alternating: one burst's CPU varies by ±0.6 ms per task from the next on this machine, so the difference needs several. */
const ROUNDS = 8;
const SETTLE_MS = 1500;
/** Tasks run by a daemon just started, before its burst is measured: its code compiled and its file pools filled. */
const WARM_UP = 100;
const RESULT_TIMEOUT_MS = 120_000;

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
  /** Bytes of recording per task (`echo x`: the typed line, the preview, the output, the markers). */
  castBytesPerTask: number;
  /** The recorder's own work per task, re-done in this process on the burst's recordings (CastWriter: file, events, close), CPU ms. */
  writerCpuMs: number;
}

export async function measureRecorderCost(plan: Plan, cleanups: Cleanups, say: (line: string) => void): Promise<RecorderFigures> {
  const size = Math.max(50, Math.round(plan.burst / 2));
  say(
    `\nflight recorder: one swarm of 1 shell agent × ${REPLICAS} replicas, its daemon started anew before each burst with the recorder on or off (CLAUDE_AGENT_RECORDER=off) and warmed up with ${WARM_UP} tasks; ${ROUNDS} rounds of a ${size}-task \`echo x\` burst on each, alternating, each burst's CPU read after a ${SETTLE_MS / 1000} s settle`,
  );
  const swarm = await startBenchSwarm(REPLICAS, cleanups);
  const envOf = { on: {}, off: { CLAUDE_AGENT_RECORDER: "off" } } as const;
  try {
    const sides = { on: empty(), off: empty() };
    for (let round = 0; round < ROUNDS; round++) {
      // Each round in the other order; each burst's CPU read after a settle, so that work it leaves behind
      // (the history writer catching up, a recording's last write) is counted for it, not for the next one.
      const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
      for (const name of order) {
        await swarm.restart(envOf[name]);
        await burst(swarm, WARM_UP);
        const pids = swarmPids(swarm);
        await sleep(SETTLE_MS);
        const cpu0 = cpuMs([process.pid, ...pids]);
        const daemon0 = cpuMs([swarm.daemon.pid!]);
        const seconds = await burst(swarm, size);
        await sleep(SETTLE_MS);
        const side = sides[name];
        const used = cpuMs([process.pid, ...pids]) - cpu0;
        const daemonUsed = cpuMs([swarm.daemon.pid!]) - daemon0;
        side.tasks += size;
        side.seconds += seconds;
        side.cpuMs += used;
        side.daemonCpuMs += daemonUsed;
        say(`  round ${round + 1}, recorder ${name.padEnd(3)}: CPU per task ${(used / size).toFixed(2)} ms (daemon ${(daemonUsed / size).toFixed(2)} ms)`);
      }
    }
    const figures: RecorderFigures = {
      on: perTask(sides.on),
      off: perTask(sides.off),
      castBytesPerTask: castBytes(swarm),
      writerCpuMs: rewrite(swarm),
    };
    for (const name of ["off", "on"] as const) {
      const s = figures[name];
      say(
        `  recorder ${name.padEnd(3)}: ${(s.tasks / s.seconds).toFixed(0)} tasks/s; CPU per task ${s.cpuMs.toFixed(2)} ms (daemon ${s.daemonCpuMs.toFixed(2)} ms)`,
      );
    }
    say(`  the recorder's share of the burst's CPU: ${share(figures).toFixed(1)} %; ${figures.castBytesPerTask.toFixed(0)} bytes of recording per task`);
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

function empty(): RecorderSide {
  return { tasks: 0, seconds: 0, cpuMs: 0, daemonCpuMs: 0 };
}

function perTask(side: RecorderSide): RecorderSide {
  return { ...side, cpuMs: side.cpuMs / side.tasks, daemonCpuMs: side.daemonCpuMs / side.tasks };
}

async function burst(swarm: BenchSwarm, count: number): Promise<number> {
  const sdk = await swarm.sdk();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      const handle = await sdk.submit({ task: "echo x", agent: AGENT });
      const result = await handle.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
      if (result.status !== "completed" || result.output.trim() !== "x") throw new Error(`task ${handle.id} ended ${result.status}`);
    }),
  );
  return (performance.now() - t0) / 1000;
}

function swarmPids(swarm: BenchSwarm): number[] {
  const redis = Number.parseInt(readFileSync(swarm.paths.redisPid, "utf8"), 10);
  const shown = spawnSync("tmux", ["-S", swarm.paths.tmuxSocket, "display-message", "-p", "#{pid}"], { encoding: "utf8" });
  const tmuxServer = Number.parseInt(shown.stdout.trim(), 10);
  return [swarm.daemon.pid!, redis, tmuxServer, ...childrenOf(tmuxServer).map((child) => child.pid)];
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
