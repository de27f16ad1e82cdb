/**
 * `redis.acknowledge` on the daemon's side, against real redis-servers and a real swarm: a task whose
 * record no replica holds is not dispatched. A submit refused with NotReplicatedError has put its task on
 * the primary already; were it run at once, a failover that lost that primary's last writes would lose the
 * record and the idempotency key with it, and the client's retry with the same key would run the command a
 * second time (test/hosts/sentinel.test.ts met that on a loaded machine). The replica is frozen (SIGSTOP) to
 * hold its acknowledgement back, then thawed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotReplicatedError } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { sleep } from "../faults/support.js";
import { daemonLog } from "./support.js";

const PASSWORD = "ack-dispatch-pw";
const YAML = `redis:
  acknowledge: { replicas: 1, timeout_ms: 500 }
agents:
  - { name: worker, runtime: shell, timeout: 60 }
default_agent: worker
`;

describe("a task no replica holds yet is not dispatched (redis.acknowledge)", { timeout: 120_000 }, () => {
  let primary: TcpRedis;
  let replica: TcpRedis;
  let replicaPid: number;
  let swarm: TestSwarm;
  let client: Swarm;
  let runs: string;
  beforeAll(async () => {
    primary = await startTcpRedis({ args: ["--requirepass", PASSWORD] });
    replica = await startTcpRedis({ args: ["--replicaof", primary.host, String(primary.port), "--masterauth", PASSWORD, "--requirepass", PASSWORD] });
    const redis = new Redis(primary.url(`:${PASSWORD}`));
    try {
      await waitFor("the replica acknowledging the primary's writes", async () => Number(await redis.call("WAIT", "1", "200")) >= 1, { retryErrors: true });
    } finally {
      redis.disconnect();
    }
    const onReplica = new Redis(replica.url(`:${PASSWORD}`));
    try {
      replicaPid = Number(/process_id:(\d+)/.exec(await onReplica.info("server"))![1]);
    } finally {
      onReplica.disconnect();
    }
    swarm = await startTestSwarm(YAML, { env: { REDIS_URL: primary.url(`:${PASSWORD}`) } });
    process.env.REDIS_URL = primary.url(`:${PASSWORD}`); // the SDK client reaches the same Redis as the daemon
    client = await swarm.connect();
    runs = join(swarm.home, "runs.log");
    writeFileSync(runs, "");
  }, 90_000);
  afterAll(async () => {
    if (replicaPid) execFileSync("kill", ["-CONT", String(replicaPid)]);
    await swarm?.destroy();
    delete process.env.REDIS_URL;
    await replica?.stop();
    await primary?.stop();
  });

  it("holds a refused submit's task until a replica confirms it, then runs it once; the retry with the same key names it", async () => {
    execFileSync("kill", ["-STOP", String(replicaPid)]);
    let thawed = false;
    try {
      const refused = await client.submit({ task: `echo ran >> ${runs}`, idempotencyKey: "held" }).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(NotReplicatedError);
      const taskId = (refused as NotReplicatedError).context.taskId as string;
      await waitFor("the bridge to hold the task", () => daemonLog(swarm, "job.not-replicated").some((line) => line.taskId === taskId));
      // Held, not run: the command has not appended its line, and the task has no dispatch.
      await sleep(1500);
      expect(readFileSync(runs, "utf8")).toBe("");
      expect(await client.client.get(taskId)).toMatchObject({ status: "queued", dispatch: null });
      execFileSync("kill", ["-CONT", String(replicaPid)]);
      thawed = true;
      const again = await client.submit({ task: `echo ran >> ${runs}`, idempotencyKey: "held" });
      expect(again).toMatchObject({ id: taskId, created: false, replicas: 1 });
      expect(await client.task(taskId).result()).toMatchObject({ status: "completed" });
      expect(readFileSync(runs, "utf8")).toBe("ran\n");
      expect(daemonLog(swarm, "job.replicated").some((line) => line.taskId === taskId)).toBe(true);
    } finally {
      if (!thawed) execFileSync("kill", ["-CONT", String(replicaPid)]);
    }
  });

  it("ends a task cancelled while it waits for a replica as cancelled, saying so, and never runs it", async () => {
    execFileSync("kill", ["-STOP", String(replicaPid)]);
    try {
      const refused = await client.submit({ task: `echo cancelled-ran >> ${runs}` }).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(NotReplicatedError);
      const taskId = (refused as NotReplicatedError).context.taskId as string;
      await waitFor("the bridge to hold the task", () => daemonLog(swarm, "job.not-replicated").some((line) => line.taskId === taskId));
      await client.client.cancel(taskId);
      expect(await client.task(taskId).result()).toMatchObject({ status: "cancelled", reason: "cancelled while waiting for a replica to hold its record" });
    } finally {
      execFileSync("kill", ["-CONT", String(replicaPid)]);
    }
    expect(readFileSync(runs, "utf8")).not.toContain("cancelled-ran");
  });

  it("runs a task a replica confirmed without holding it", async () => {
    const submitted = await client.submit({ task: "echo straight through" });
    expect(submitted.replicas).toBe(1);
    expect(await submitted.result()).toMatchObject({ status: "completed", output: "straight through\n" });
    expect(daemonLog(swarm, "job.not-replicated").some((line) => line.taskId === submitted.id)).toBe(false);
  });
});
