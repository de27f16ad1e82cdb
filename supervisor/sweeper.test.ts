import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureHome, Ledger, connectOrFail, parseConfig, startEmbeddedRedis, stopEmbeddedRedis, type HomePaths, type TaskRecord } from "../core/index.js";
import { Sweeper } from "./sweeper.js";

const DAY = 24 * 3600 * 1000;

function record(id: string, submittedAt: number, status: TaskRecord["status"], finishedAt?: number): TaskRecord {
  return {
    id,
    agent: "alpha",
    session: null,
    status,
    exitCode: null,
    output: "",
    outputFile: null,
    submittedAt: new Date(submittedAt).toISOString(),
    startedAt: null,
    finishedAt: finishedAt === undefined ? null : new Date(finishedAt).toISOString(),
    durationMs: null,
    attempts: 0,
    task: "true",
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
  };
}

describe("the ledger sweeper (real Redis)", () => {
  let paths: HomePaths;
  let redis: Redis;
  let ledger: Ledger;
  const requeued: string[] = [];
  const withJobs = new Set<string>();
  const sweeper = (maxTasks = 1000) =>
    new Sweeper({
      ledger,
      jobExists: async (r) => withJobs.has(r.id),
      requeue: async (r) => void requeued.push(r.id),
      outputDir: paths.outputDir,
      jobsDir: paths.jobsDir,
      retention: { completedMs: 7 * DAY, failedMs: 30 * DAY, maxTasks },
    });

  beforeAll(async () => {
    paths = ensureHome(mkdtempSync(join(tmpdir(), "ca-")));
    await startEmbeddedRedis(paths);
    redis = await connectOrFail({ kind: "embedded", socket: paths.redisSocket });
    ledger = new Ledger(redis, "sw");
  });
  afterAll(async () => {
    redis?.disconnect();
    await stopEmbeddedRedis(paths);
    rmSync(paths.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await redis.flushall();
    requeued.length = 0;
    withJobs.clear();
  });

  async function add(r: TaskRecord): Promise<void> {
    await ledger.create({ ...r, status: "queued" });
    if (r.status !== "queued") await ledger.finish(r.id, r.status as never, { finishedAt: r.finishedAt ?? "" });
  }

  it("re-queues an accepted task whose job never reached its queue, and only that one", async () => {
    const now = Date.now();
    await add(record("lost-1", now - 60_000, "queued"));
    await add(record("queued-ok", now - 60_000, "queued"));
    withJobs.add("queued-ok");
    await add(record("fresh", now - 1_000, "queued"));
    await add(record("done", now - 60_000, "completed", now - 50_000));
    const outcome = await sweeper().sweep(now);
    expect(requeued).toEqual(["lost-1"]);
    expect(outcome.requeued).toBe(1);
  });

  it("fails an open task whose job BullMQ gave up on without anyone recording it, once the bridge had time to, and only that one", async () => {
    // A real queue and worker: the job ends in BullMQ's failed set the way a stall-limit failure does, unseen by our bridge.
    const connection = { path: paths.redisSocket, maxRetriesPerRequest: null };
    const queue = new Queue("agent-alpha", { connection, prefix: "sw" });
    const worker = new Worker(
      "agent-alpha",
      async () => {
        throw new UnrecoverableError("job stalled more than allowable limit");
      },
      { connection, prefix: "sw" },
    );
    try {
      const now = Date.now();
      await add(record("given-up", now - 60_000, "queued"));
      await ledger.update("given-up", { status: "running", dispatch: "given-up-1" });
      await add(record("waiting-ok", now - 60_000, "queued"));
      const failed = new Promise((resolve) => worker.once("failed", resolve));
      await queue.add("task", { taskId: "given-up" }, { jobId: "given-up" });
      await failed;
      const abandonedJob = async (r: TaskRecord) => {
        const job = await queue.getJob(r.id);
        if (!job || (await job.getState()) !== "failed") return null;
        return { reason: job.failedReason, failedAt: job.finishedOn ?? 0 };
      };
      const told: string[] = [];
      const sweep = (at: number) =>
        new Sweeper({
          ledger,
          jobExists: async () => true,
          requeue: async () => undefined,
          abandonedJob,
          outputDir: paths.outputDir,
          jobsDir: paths.jobsDir,
          abandoned: async (r, reason) => void told.push(`${r.id}: ${reason}`),
        }).sweep(at);
      // Just failed: the bridge may be recording it right now.
      expect((await sweep(Date.now())).abandoned).toBe(0);
      expect((await ledger.get("given-up"))?.status).toBe("running");
      const outcome = await sweep(Date.now() + 60_000);
      expect(outcome.abandoned).toBe(1);
      const given = await ledger.get("given-up");
      expect(given).toMatchObject({
        status: "failed",
        reason: expect.stringContaining("the queue gave up on its job (job stalled more than allowable limit)"),
      });
      expect((await ledger.get("waiting-ok"))?.status).toBe("queued");
      expect((await sweep(Date.now() + 120_000)).abandoned).toBe(0); // recorded once
      // Told once (the daemon withdraws the inbox item of a task held for a person's approval).
      expect(told).toEqual([expect.stringMatching(/^given-up: the queue gave up on its job/)]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it("forgets completed tasks after 7 days and failed ones after 30, with their output, recording, patch and dispatch files", async () => {
    const now = Date.now();
    await add(record("old-ok", now - 10 * DAY, "completed", now - 10 * DAY));
    await add(record("old-failed", now - 10 * DAY, "failed", now - 10 * DAY));
    await add(record("ancient-failed", now - 40 * DAY, "timeout", now - 40 * DAY));
    await add(record("recent-ok", now - 1 * DAY, "completed", now - 1 * DAY));
    mkdirSync(paths.jobsDir, { recursive: true });
    writeFileSync(join(paths.outputDir, "old-ok.log"), "x");
    writeFileSync(join(paths.outputDir, "old-ok.cast"), "x");
    writeFileSync(join(paths.outputDir, "old-ok.diff"), "x");
    writeFileSync(join(paths.outputDir, "recent-ok.cast"), "x");
    writeFileSync(join(paths.outputDir, "recent-ok.diff"), "x");
    writeFileSync(join(paths.jobsDir, "old-ok-1.sh"), "x");
    writeFileSync(join(paths.jobsDir, "recent-ok-1.sh"), "x");
    const outcome = await sweeper().sweep(now);
    expect(outcome.removed).toBe(2);
    expect(await ledger.get("old-ok")).toBeNull();
    expect(await ledger.get("ancient-failed")).toBeNull();
    expect(await ledger.get("old-failed")).not.toBeNull();
    expect(await ledger.get("recent-ok")).not.toBeNull();
    expect(existsSync(join(paths.outputDir, "old-ok.log"))).toBe(false);
    expect(existsSync(join(paths.outputDir, "old-ok.cast"))).toBe(false);
    expect(existsSync(join(paths.outputDir, "old-ok.diff"))).toBe(false);
    expect(existsSync(join(paths.outputDir, "recent-ok.cast"))).toBe(true);
    expect(existsSync(join(paths.outputDir, "recent-ok.diff"))).toBe(true);
    expect(existsSync(join(paths.jobsDir, "old-ok-1.sh"))).toBe(false);
    expect(existsSync(join(paths.jobsDir, "recent-ok-1.sh"))).toBe(true);
  });

  it("keeps at most maxTasks, dropping the oldest finished ones and never an open one", async () => {
    const now = Date.now();
    await add(record("a-open", now - 5_000, "running"));
    await add(record("b-done", now - 4_000, "completed", now - 3_000));
    await add(record("c-done", now - 3_000, "completed", now - 2_000));
    await add(record("d-done", now - 2_000, "completed", now - 1_000));
    withJobs.add("a-open");
    await sweeper(2).sweep(now);
    expect(await ledger.get("a-open")).not.toBeNull();
    expect(await ledger.get("b-done")).toBeNull();
    expect(await ledger.get("c-done")).toBeNull();
    expect(await ledger.get("d-done")).not.toBeNull();
    expect(await ledger.count()).toBe(2);
  });

  it("honours the retention read from swarm.yaml: completed tasks after 1 day, failed ones after 2, at most 3 kept", async () => {
    const { retention } = parseConfig("agents:\n  - { name: alpha, runtime: shell }\nretention: { completed: 1d, failed: 2d, max_tasks: 3 }\n", {
      file: "/p/swarm.yaml",
      baseDir: "/p",
    });
    const now = Date.now();
    await add(record("ok-36h", now - 40 * 3600_000, "completed", now - 36 * 3600_000));
    await add(record("failed-36h", now - 40 * 3600_000, "failed", now - 36 * 3600_000));
    await add(record("failed-3d", now - 4 * DAY, "cancelled", now - 3 * DAY));
    await add(record("ok-20h", now - 47 * 3600_000, "completed", now - 20 * 3600_000)); // submitted first
    await add(record("ok-1h", now - 2 * 3600_000, "completed", now - 1 * 3600_000));
    await add(record("ok-30m", now - 1 * 3600_000, "completed", now - 1800_000));
    const sweep = new Sweeper({
      ledger,
      jobExists: async () => true,
      requeue: async () => undefined,
      outputDir: paths.outputDir,
      jobsDir: paths.jobsDir,
      retention,
    });
    expect(sweep.retention).toEqual({ completedMs: DAY, failedMs: 2 * DAY, maxTasks: 3 });
    expect((await sweep.sweep(now)).removed).toBe(3);
    expect(await ledger.get("ok-36h")).toBeNull();
    expect(await ledger.get("failed-3d")).toBeNull();
    expect(await ledger.get("failed-36h")).not.toBeNull();
    expect(await ledger.get("ok-20h")).toBeNull(); // young enough, but the oldest finished one past max_tasks
    expect(await ledger.count()).toBe(3);
  });

  it("keeps the defaults (7 days, 30 days, 50,000 tasks) when swarm.yaml has no retention", () => {
    const sweep = new Sweeper({ ledger, jobExists: async () => true, requeue: async () => undefined, outputDir: paths.outputDir, jobsDir: paths.jobsDir });
    expect(sweep.retention).toEqual({ completedMs: 7 * DAY, failedMs: 30 * DAY, maxTasks: 50_000 });
  });
});
