import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { until } from "../faults/support.js";
import { clientInternals } from "../../client/index.js";

/** Bad input must end in a clear error in the right place, and nothing else may stop working. */
describe("bad input", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let queue: Queue;
  beforeAll(async () => {
    // A limit above the default 1 MiB: the several-megabyte task below is within what a swarm may allow.
    swarm = await startTestSwarm("agents:\n  - name: alpha\n    runtime: shell\n    replicas: 1\n    timeout: 60\nlimits: { task_bytes: 8388608 }\n");
    client = await swarm.connect();
    queue = new Queue(queueName("alpha"), { connection: clientInternals(client.client).redis, prefix: clientInternals(client.client).ledger.keys.prefix });
  });
  afterAll(async () => {
    await queue?.close();
    await swarm?.destroy();
  });

  const stillWorks = async () => {
    const result = await (await client.submit({ task: "echo still-working", agent: "alpha" })).result();
    expect(result).toMatchObject({ status: "completed", output: "still-working\n" });
  };
  const swarmLog = () => readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8");

  it("logs a malformed job payload written straight into Redis, drops it, and keeps taking work", async () => {
    await queue.add("task", { nonsense: true } as never, { jobId: "malformed-1" });
    await until("the malformed job to be logged", () => swarmLog().includes('"event":"job.malformed"'));
    await stillWorks();
  });

  it("fails, with the reason, a stored job whose task names an agent this swarm does not have", async () => {
    const busy = await client.submit({ task: "sleep 1.5", agent: "alpha" });
    await until("the only session to be busy", async () => (await client.result(busy.id)).status === "running");
    const task = await client.submit({ task: "echo never", agent: "alpha" });
    // Rewrite the stored task, while it waits, as if it had been submitted for another swarm's agent.
    await clientInternals(client.client).redis.hset(clientInternals(client.client).ledger.keys.task(task.id), "agent", "ghost");
    const result = await task.result();
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining('agent "ghost"') });
    await stillWorks();
  });

  it("runs a task text of several megabytes (read from a file, not an argument)", async () => {
    const filler = `: ${"x".repeat(1022)}\n`.repeat(3 * 1024); // 3 MB of no-op lines
    const result = await (await client.submit({ task: `${filler}echo big-done`, agent: "alpha" })).result();
    expect(result).toMatchObject({ status: "completed", exitCode: 0, output: "big-done\n" });
  });

  it("keeps control characters in task text and output intact in the output file", async () => {
    const result = await (await client.submit({ task: "printf 'a\\001b\\002c\\033[31mred\\033[0m\\n'", agent: "alpha" })).result();
    expect(result.status).toBe("completed");
    expect(readFileSync(result.outputFile!, "latin1")).toBe("a\x01b\x02c\x1b[31mred\x1b[0m\n");
    expect(result.output).toBe("a\x01b\x02cred\n");
  });

  it("refuses an empty task and an unknown agent at submit, with nothing queued", async () => {
    await expect(client.submit({ task: "   ", agent: "alpha" })).rejects.toThrow(/task text is empty/);
    await expect(client.submit({ task: "echo x", agent: "ghost" })).rejects.toThrow(/unknown agent "ghost"/);
    // (Not "active": the previous test's job may still be finishing in BullMQ.)
    const counts = await queue.getJobCounts("waiting", "prioritized");
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(0);
  });

  it("keeps running on the config it started with when swarm.yaml changes under it", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(swarm.configFile, "agents: [ this is : not valid");
    await stillWorks();
    expect((await client.status()).agents.map((a) => a.name)).toEqual(["alpha"]);
  });
});
