/**
 * The baseline: a bare BullMQ worker (child process, execa `bash -c`) on a
 * private redis-server over a unix socket, configured like the swarm's own
 * (appendonly everysec: the same startEmbeddedRedis). This process adds jobs
 * with Queue.add and awaits them with QueueEvents (job.waitUntilFinished).
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { ensureHome, startEmbeddedRedis, stopEmbeddedRedis, type HomePaths } from "../../core/index.js";
import type { Cleanups } from "./cleanup.js";
import { tempHome } from "./swarm.js";

const WORKER = resolve(fileURLToPath(new URL(".", import.meta.url)), "baseline-worker.js");
const WAIT_TTL_MS = 120_000;

export interface BaselineRedis {
  readonly paths: HomePaths;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startBaselineRedis(cleanups: Cleanups): Promise<BaselineRedis> {
  const home = tempHome("base");
  const paths = ensureHome(home);
  const stop = cleanups.add(`baseline redis ${home}`, async () => {
    await stopEmbeddedRedis(paths).catch(() => false);
    rmSync(home, { recursive: true, force: true });
  });
  try {
    const { pid } = await startEmbeddedRedis(paths);
    return { paths, pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BaselineWorker {
  /** The worker process's pid. */
  readonly pid: number;
  /** Adds one job and resolves with its result once completed. */
  run(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

let queueSeq = 0;

/** Starts a worker child with `concurrency` on a fresh queue, plus this side's Queue and QueueEvents. */
export async function startBaselineWorker(redis: BaselineRedis, concurrency: number, cleanups: Cleanups): Promise<BaselineWorker> {
  const name = `base-${process.pid}-${++queueSeq}-c${concurrency}`;
  const socket = redis.paths.redisSocket;
  const queueConnection = new Redis({ path: socket, maxRetriesPerRequest: null });
  const eventsConnection = new Redis({ path: socket, maxRetriesPerRequest: null });
  const queue = new Queue<{ cmd: string }, string>(name, { connection: queueConnection });
  queue.setMaxListeners(0); // waitUntilFinished adds a 'closing' listener per waiting job
  const events = new QueueEvents(name, { connection: eventsConnection });
  let child: ChildProcess | null = null;
  const stop = cleanups.add(`baseline worker ${name}`, async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child!.once("exit", () => r()));
      if (child.connected) child.send("stop");
      else child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    queueConnection.disconnect();
    eventsConnection.disconnect();
  });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    child = fork(WORKER, [socket, name, String(concurrency)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    await new Promise<void>((ready, fail) => {
      child!.once("message", (message) => (message === "ready" ? ready() : fail(new Error(`baseline worker said ${String(message)}`))));
      child!.once("exit", (code, signal) => fail(new Error(`baseline worker exited (${signal ?? code})`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: child!.pid!,
    async run(cmd) {
      const job = await queue.add("cmd", { cmd });
      return job.waitUntilFinished(events, WAIT_TTL_MS);
    },
    stop,
  };
}
