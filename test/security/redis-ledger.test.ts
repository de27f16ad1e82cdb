/**
 * Issue 11, finding 2: whoever writes to the swarm's Redis must not be able to
 * make the swarm read, write or delete files of its choosing through fields it
 * turns into paths: a task's output file (read into its result), its dispatch
 * token (names files in jobs/), its id (names its output file, deleted by the
 * sweeper). A record that fails validation is reported and never acted on.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger, queueName } from "../../core/index.js";
import { Sweeper } from "../../supervisor/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { prefixOf } from "./redis-support.js";
import { waitFor } from "../helpers/wait.js";

const SECRET = "the-secret-a-forged-record-must-not-reach";

describe("task records forged in Redis", () => {
  let swarm: TestSwarm;
  let redis: Redis;
  let prefix: string;
  let outside: string;
  beforeAll(async () => {
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 1\n    timeout: 60\n");
    redis = new Redis({ path: swarm.paths.redisSocket });
    prefix = prefixOf(swarm.home);
    outside = mkdtempSync(join(tmpdir(), "ca-sec-outside-"));
  });
  afterAll(async () => {
    redis?.disconnect();
    await swarm?.destroy();
    rmSync(outside, { recursive: true, force: true });
  });

  it("an output file pointed elsewhere while the task runs is never read into its result; `result` reports the record", async () => {
    const secretFile = join(outside, "secret.txt");
    writeFileSync(secretFile, `${SECRET}\n`);
    // The task runs until the test has forged its record: a CLI that takes seconds to exit on a loaded machine
    // must not let it finish first (then there is no running task to forge).
    const barrier = join(outside, "go");
    const submitted = swarm.cli(["submit", "--agent", "alpha", "--task", `until [ -e ${barrier} ]; do sleep 0.05; done; echo real-output`, "--json"]);
    const id = (JSON.parse(submitted.stdout) as { id: string }).id;
    const key = `${prefix}:task:${id}`;
    await waitFor("the task to run", async () => (await redis.hget(key, "status")) === "running", { timeoutMs: 45_000, everyMs: 100 });
    await redis.hset(key, "outputFile", secretFile);
    writeFileSync(barrier, "");
    const status = await waitFor(
      "the task to end",
      async () => {
        const value = await redis.hget(key, "status");
        return value !== "running" && value !== "queued" ? value : null;
      },
      { timeoutMs: 45_000, everyMs: 100 },
    );
    expect(status).toBe("completed");
    const stored = await redis.hgetall(key);
    expect(stored.output).not.toContain(SECRET);
    expect(stored.output).toBe("real-output\n");
    const result = swarm.cli(["result", id, "--json"]);
    expect(result.exitCode, result.stdout).toBe(4);
    expect(result.stderr).toContain(`the record of task ${id} in Redis is not one the swarm wrote`);
    expect(result.stderr).toMatch(/outputFile: not a file of task/);
    expect(result.stdout).not.toContain(SECRET);
  });

  it("a dispatch token naming a file outside jobs/ makes the bridge touch nothing there; the record is reported", async () => {
    const id = "mzzzzzz1-forged";
    const victim = join(swarm.home, "outside");
    writeFileSync(`${victim}.job`, "nonce\narg\n/dev/null\n0\n0\npreview\0true\0"); // a dispatch that looks written but not yet claimed
    await redis.hset(`${prefix}:task:${id}`, {
      id,
      agent: "alpha",
      status: "queued",
      task: "true",
      submittedAt: new Date().toISOString(),
      attempts: "0",
      timeoutSec: "60",
      priority: "0",
      dispatch: "../outside",
      output: "",
      routedBy: "forged",
    });
    const queue = new Queue(queueName("alpha"), { connection: redis, prefix });
    try {
      await queue.add("task", { taskId: id }, { jobId: id });
      await waitFor("the bridge to take the forged job", async () => ["completed", "failed"].includes(await (await queue.getJob(id))!.getState()), {
        timeoutMs: 45_000,
        everyMs: 100,
      });
    } finally {
      await queue.close();
    }
    // A bridge acting on the token would have claimed `jobs/../outside` by creating outside.claim.
    expect(existsSync(`${victim}.claim`)).toBe(false);
    const log = readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8");
    expect(log).toMatch(new RegExp(`"ledger.invalid-record".*"taskId":"${id}".*dispatch: not a dispatch token`));
  });

  it("an index entry that is not a task id never names a file the sweeper deletes", async () => {
    const victim = join(swarm.home, "victim.log"); // `output/../victim.log` from the id `../victim`
    writeFileSync(victim, "must survive\n");
    await redis.zadd(`${prefix}:tasks`, 0, "../victim");
    const invalid: string[] = [];
    const ledger = new Ledger(redis, prefix, { onInvalid: (taskId: string) => invalid.push(taskId) });
    const sweeper = new Sweeper({
      ledger,
      jobExists: async () => true,
      requeue: async () => undefined,
      outputDir: swarm.paths.outputDir,
      jobsDir: swarm.paths.jobsDir,
      retention: { completedMs: 1000, failedMs: 1000, maxTasks: 50_000 },
    });
    await sweeper.sweep();
    expect(readFileSync(victim, "utf8")).toBe("must survive\n");
    expect(invalid).toContain("../victim");
  });
});
