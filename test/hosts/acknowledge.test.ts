/**
 * `redis.acknowledge` against real redis-servers: a submit returns only once a replica holds the task
 * (Redis WAIT), and fails with NotReplicatedError, naming the task, when no replica confirms in time.
 * No daemon: the client alone writes the record and the job, which is all acceptance is.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SwarmClient } from "../../client/index.js";
import { configFromObject, keys, NotReplicatedError } from "../../core/index.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { waitFor } from "../helpers/wait.js";

const PREFIX = `ca-ack-${process.pid}`;
const config = configFromObject(
  { agents: [{ name: "worker", runtime: "shell" }], redis: { acknowledge: { replicas: 1, timeout_ms: 1000 } } },
  { file: "/x/swarm.yaml", baseDir: "/x" },
);

describe("acknowledged acceptance (redis.acknowledge)", { timeout: 60_000 }, () => {
  let primary: TcpRedis;
  let replica: TcpRedis | null = null;
  let redis: Redis;
  let client: SwarmClient;
  beforeAll(async () => {
    primary = await startTcpRedis();
    redis = new Redis(primary.url(), { maxRetriesPerRequest: 2 });
    client = new SwarmClient(redis, config, () => new Redis(primary.url(), { maxRetriesPerRequest: null }), PREFIX);
  });
  afterAll(async () => {
    await client?.close();
    redis?.disconnect();
    await replica?.stop();
    await primary?.stop();
  });

  it("refuses the submit with NotReplicatedError when no replica confirms within timeout_ms, though the primary kept the task", async () => {
    const error = await client.submit({ task: "echo alone", idempotencyKey: "alone" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotReplicatedError);
    expect((error as NotReplicatedError).message).toMatch(/only 0 of the 1 replica redis\.acknowledge asks for confirmed it within 1000 ms/);
    expect((error as NotReplicatedError).hint).toContain("same idempotency key");
    const taskId = (error as NotReplicatedError).context.taskId as string;
    expect(await redis.exists(keys(PREFIX).task(taskId))).toBe(1);
  });

  it("returns once a replica holds the task, and a repeat of the refused submit is confirmed without a second task", async () => {
    replica = await startTcpRedis({ args: ["--replicaof", primary.host, String(primary.port)] });
    // `state=online` comes once the primary has sent its snapshot; the replica acknowledges only after loading it.
    await waitFor("the replica in sync", async () => /slave0:.*state=online/.test(await redis.info("replication")), { retryErrors: true });
    await waitFor("the replica acknowledging the primary's writes", async () => Number(await redis.call("WAIT", "1", "200")) >= 1);
    const submitted = await client.submit({ task: "echo replicated" });
    expect(submitted).toMatchObject({ created: true, replicas: 1 });
    // The replica has the record the submit wrote: read there, not on the primary.
    const onReplica = new Redis(replica.url());
    try {
      expect(await onReplica.exists(keys(PREFIX).task(submitted.id))).toBe(1);
    } finally {
      onReplica.disconnect();
    }
    const again = await client.submit({ task: "echo alone", idempotencyKey: "alone" });
    expect(again).toMatchObject({ created: false, replicas: 1 });
  });
});
