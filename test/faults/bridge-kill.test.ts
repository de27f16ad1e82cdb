import { statSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { paneEndedAt } from "../helpers/pane-end.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { destroyUnlessKept, jobState, lines, terminalEvents, terminalRecord, until } from "./support.js";
import { clientInternals } from "../../client/index.js";

/**
 * `kill -9` of the daemon (bridge + supervisor in one process) while a job
 * runs in its pane. tmux and Redis live on; the restarted daemon must adopt
 * the job (or record the result it left behind), never run it twice, record
 * exactly one terminal state, and keep taking work. BullMQ re-delivers the
 * dead worker's job after its lock (10 s) expires and a stalled check (5 s)
 * runs: the tests wait for that re-delivery too, since it is where a
 * non-idempotent runner would run the job a second time.
 */
describe("kill -9 of the daemon during a job", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let n = 0;

  beforeAll(async () => {
    swarm = await startTestSwarm();
    client = await swarm.connect();
  });
  afterAll(async () => {
    await destroyUnlessKept(swarm);
  });

  /**
   * A job that prints before and after a sleep, appends one line to its own counter file per run, and
   * touches `<counter>.end` as its last command (its mtime is when the command ended: the dispatch's own
   * `.claim` file, where the pane records the end, is removed with the task's other job files once the result is recorded).
   */
  function countedJob(sleepSec: number): { task: string; counter: string } {
    const counter = join(swarm.home, `counter-${++n}`);
    return { counter, task: `echo start; echo run >> ${counter}; sleep ${sleepSec}; echo done; : > ${counter}.end` };
  }

  async function runningDispatch(id: string, counter: string): Promise<string> {
    await until("the job to start in its pane", () => lines(counter).length === 1);
    const record = await until("the ledger to show the job running", async () => {
      const r = await client.client.get(id);
      return r.status === "running" && r.dispatch ? r : null;
    });
    return record.dispatch!;
  }

  /**
   * Restarts the daemon and returns when the task is terminal, with times measured from the restart. The
   * result must be recorded within 2 s of both the daemon being ready and the command having ended: the
   * restarted bridge adopts the job itself, rather than waiting 10-15 s for BullMQ to re-deliver it.
   */
  async function restartAndAwait(id: string, counter: string): Promise<{ readyMs: number; recordedMs: number; afterEndMs: number }> {
    const t0 = Date.now();
    await swarm.start();
    const readyAt = Date.now();
    const record = await terminalRecord(client, id, 30_000);
    const finishedAt = Date.parse(record.finishedAt!);
    const endedAt = statSync(`${counter}.end`).mtimeMs;
    const afterEndMs = Math.round(finishedAt - Math.max(readyAt, endedAt));
    expect(afterEndMs, "ms from the later of daemon-ready and command-end to the result being recorded").toBeLessThan(2000);
    return { readyMs: readyAt - t0, recordedMs: finishedAt - t0, afterEndMs };
  }

  /** The job the dead worker held must be re-delivered and completed by BullMQ without running the task again. */
  async function expectRedeliveredWithoutRerun(id: string, counter: string): Promise<void> {
    await until("BullMQ to re-deliver and complete the dead worker's job", async () => (await jobState(client, "alpha", id)) === "completed", 40_000, 200);
    expect(lines(counter)).toEqual(["run"]);
    expect(await terminalEvents(client, id)).toHaveLength(1);
  }

  async function expectTakesNewWork(): Promise<void> {
    const [a, b] = await Promise.all([
      client.submit({ task: `echo fresh-alpha-${n}`, agent: "alpha" }),
      client.submit({ task: `echo fresh-beta-${n}`, agent: "beta" }),
    ]);
    const [ra, rb] = await Promise.all([terminalRecord(client, a.id, 15_000), terminalRecord(client, b.id, 15_000)]);
    expect(ra).toMatchObject({ status: "completed", exitCode: 0, output: `fresh-alpha-${n}\n` });
    expect(rb).toMatchObject({ status: "completed", exitCode: 0, output: `fresh-beta-${n}\n` });
  }

  it("adopts a job still running in its pane after a restart: it runs once, is recorded once with its whole output, and the swarm takes new work", async () => {
    const { task, counter } = countedJob(3);
    const { id } = await client.submit({ task, agent: "alpha" });
    const token = await runningDispatch(id, counter);

    await swarm.kill9();
    // Dead daemon: the job goes on in its pane, and nobody has recorded anything.
    expect((await client.client.get(id)).status).toBe("running");
    expect(paneEndedAt(swarm.paths.jobsDir, token)).toBeNull();

    const { readyMs, recordedMs, afterEndMs } = await restartAndAwait(id, counter);
    const record = await client.client.get(id);
    console.log(
      `[bridge-kill] job running at restart: daemon ready ${readyMs} ms, result recorded ${recordedMs} ms after restart ` +
        `(job sleeps 3 s), ${afterEndMs} ms after the command ended and the daemon was ready`,
    );
    expect(record).toMatchObject({ status: "completed", exitCode: 0, output: "start\ndone\n", attempts: 1, dispatch: token });
    expect(lines(counter)).toEqual(["run"]);
    expect(await terminalEvents(client, id)).toHaveLength(1);

    await expectTakesNewWork();
    await expectRedeliveredWithoutRerun(id, counter);
  });

  it("records from the end the pane wrote, without running it again, a job that finished while the daemon was dead", async () => {
    const { task, counter } = countedJob(1);
    const { id } = await client.submit({ task, agent: "alpha" });
    const token = await runningDispatch(id, counter);

    await swarm.kill9();
    await until("the job to finish in its pane while the daemon is dead", () => paneEndedAt(swarm.paths.jobsDir, token) !== null, 10_000);
    expect((await client.client.get(id)).status).toBe("running");

    const { readyMs, recordedMs } = await restartAndAwait(id, counter);
    console.log(`[bridge-kill] job finished while dead: daemon ready ${readyMs} ms, result recorded ${recordedMs} ms after restart`);
    expect(await client.client.get(id)).toMatchObject({ status: "completed", exitCode: 0, output: "start\ndone\n", attempts: 1, dispatch: token });
    expect(lines(counter)).toEqual(["run"]);
    expect(await terminalEvents(client, id)).toHaveLength(1);

    await expectTakesNewWork();
    await expectRedeliveredWithoutRerun(id, counter);
  });

  it("survives kill -9 twice during one job, the second after BullMQ re-delivered it (more stalls than BullMQ's default maxStalledCount of 1)", async () => {
    const { task, counter } = countedJob(20);
    const { id } = await client.submit({ task, agent: "alpha" });
    const token = await runningDispatch(id, counter);
    const queue = new Queue(queueName("alpha"), {
      connection: clientInternals(client.client).redis,
      prefix: clientInternals(client.client).ledger.keys.prefix,
    });
    try {
      await swarm.kill9();
      await swarm.start();
      // Wait until the restarted daemon's worker holds the job again (BullMQ counted one stall)…
      await until(
        "BullMQ to re-deliver the job to the restarted daemon",
        async () => {
          const job = await queue.getJob(id);
          return job && job.stalledCounter === 1 && (await job.getState()) === "active";
        },
        25_000,
        100,
      );
      expect(paneEndedAt(swarm.paths.jobsDir, token)).toBeNull();
      // …and kill that one too, while the job still runs.
      await swarm.kill9();
      const { readyMs, recordedMs, afterEndMs } = await restartAndAwait(id, counter);
      console.log(
        `[bridge-kill] second kill: daemon ready ${readyMs} ms, result recorded ${recordedMs} ms after restart (job sleeps 20 s), ` +
          `${afterEndMs} ms after the command ended`,
      );

      expect(await client.client.get(id)).toMatchObject({ status: "completed", exitCode: 0, output: "start\ndone\n", attempts: 1, dispatch: token });
      expect(lines(counter)).toEqual(["run"]);
      expect(await terminalEvents(client, id)).toHaveLength(1);

      const settled = await until(
        "BullMQ to see the second stall and settle the job",
        async () => {
          const job = await queue.getJob(id);
          const state = job && job.stalledCounter >= 2 ? await job.getState() : null;
          return state === "completed" || state === "failed" ? { state, reason: job?.failedReason ?? "" } : null;
        },
        40_000,
        200,
      );
      expect(settled).toEqual({ state: "completed", reason: "" });
      expect(lines(counter)).toEqual(["run"]);
      expect(await terminalEvents(client, id)).toHaveLength(1);
    } finally {
      await queue.close();
    }
    await expectTakesNewWork();
  }, 90_000);
});
