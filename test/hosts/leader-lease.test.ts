/**
 * Issue 16, the leader lease and its fencing tokens, against a real redis-server:
 * candidates in this process (each with its own connection, as two daemons have),
 * the workflow store's fenced compare-and-set, and an engine whose term ended
 * while its step ran. The daemons themselves: test/hosts/leader.test.ts.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FencedError, keys as swarmKeys, readLeader } from "../../core/index.js";
import { LeaderLease, type LeaderTerm } from "../../supervisor/index.js";
import { createExecution, RedisExecutionStore, WorkflowEngine, workflowFromObject } from "../../workflows/index.js";
import { ScriptedRunner } from "../../workflows/testing/scripted-runner.js";
import { waitFor } from "../helpers/wait.js";
import { startTcpRedis, type TcpRedis } from "../security/redis-support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const LEASE = { leaseMs: 600, renewMs: 100, pollMs: 50 };

describe("the leader lease and its fencing tokens on a real Redis", { timeout: 60_000 }, () => {
  let server: TcpRedis;
  const proxies: TcpProxy[] = [];
  const connections: Redis[] = [];
  const leases: LeaderLease[] = [];
  let n = 0;

  const connect = (): Redis => {
    const redis = new Redis(server.url(":lease-pw"), { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
    connections.push(redis);
    return redis;
  };

  /** A candidate as a host's daemon is one: its own connection, a record of its terms and why each ended. */
  const candidate = (k: ReturnType<typeof swarmKeys>, host: string, redis = connect()) => {
    const terms: LeaderTerm[] = [];
    const ended: string[] = [];
    const lease = new LeaderLease({
      redis,
      keys: k,
      host,
      ...LEASE,
      elected: (term) => void terms.push(term),
      deposed: async (_term, reason) => void ended.push(reason),
    });
    leases.push(lease);
    return { lease, terms, ended, redis };
  };

  beforeAll(async () => {
    server = await startTcpRedis({ args: ["--requirepass", "lease-pw"] });
  });
  afterAll(async () => {
    await Promise.allSettled(leases.map((lease) => lease.close()));
    for (const redis of connections) redis.disconnect();
    for (const proxy of proxies) await proxy.close();
    await server?.stop();
  });

  const fresh = () => swarmKeys(`ca-lease-${++n}`);

  /** A connection to Redis through a TCP proxy of its own, whose link a test can cut. */
  const linkThroughProxy = async (): Promise<{ proxy: TcpProxy; throughLink: Redis }> => {
    const proxy = await startTcpProxy(server);
    proxies.push(proxy);
    const throughLink = new Redis(proxy.url(":lease-pw"), { maxRetriesPerRequest: 1 });
    throughLink.on("error", () => undefined); // a cut link errors; the lease's rounds are what the tests watch
    connections.push(throughLink);
    return { proxy, throughLink };
  };

  it("gives the lease to exactly one of two candidates, and the other takes over with a larger token when it closes", async () => {
    const k = fresh();
    const a = candidate(k, "build-1");
    const b = candidate(k, "gpu-1");
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.current).toMatchObject({ host: "build-1", token: "1" });
    expect(b.lease.current).toBeNull();
    // Several renewals later, still one leader.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.lease.current).toBeNull();
    expect((await readLeader(a.redis, k))?.host).toBe("build-1");
    await a.lease.close();
    expect(a.ended).toEqual(["this daemon is stopping"]);
    await waitFor("gpu-1 to take over", () => b.lease.current !== null);
    expect(b.lease.current).toMatchObject({ host: "gpu-1", token: "2" });
    expect((await readLeader(b.redis, k))?.token).toBe("2");
  });

  it("steps a leader cut off from Redis down by itself once its lease is over, while the other takes over", async () => {
    const k = fresh();
    const a = candidate(k, "build-1");
    const b = candidate(k, "gpu-1");
    await a.lease.start();
    await b.lease.start();
    a.redis.disconnect(); // its renewals now fail
    await waitFor("build-1 to step down", () => a.lease.current === null);
    expect(a.ended[0]).toMatch(/^no renewal confirmed for \d+ ms \(the lease lasts 600 ms\)$/);
    await waitFor("gpu-1 to take over", () => b.lease.current !== null);
    expect(b.terms.map((t) => t.token)).toEqual(["2"]);
  });

  it("steps a leader down by itself once its lease is over when its renewals get no answer at all (a silent partition)", async () => {
    const k = fresh();
    const { proxy, throughLink } = await linkThroughProxy();
    const a = candidate(k, "build-1", throughLink);
    const b = candidate(k, "gpu-1");
    await a.lease.start();
    await b.lease.start();
    // Nothing is closed and nothing passes: its renewal is neither answered nor refused while the link is cut.
    await proxy.cut({ mode: "blackhole" });
    await waitFor("build-1 to step down while its link is still cut", () => a.lease.current === null);
    expect(proxy.state).toBe("blackhole");
    expect(a.ended).toEqual([expect.stringMatching(/^no renewal confirmed for \d+ ms \(the lease lasts 600 ms\)$/)]);
    await waitFor("gpu-1 to take over", () => b.lease.current !== null);
    // Its held renewal reaches Redis once the link heals, and changes nothing: gpu-1 still leads.
    await proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readLeader(b.redis, k))?.host).toBe("gpu-1");
    expect(a.terms).toHaveLength(1);
  });

  it("closes a candidate whose bid for the lease gets no answer (a silent partition) without waiting for the link to heal", async () => {
    const k = fresh();
    const { proxy, throughLink } = await linkThroughProxy();
    const a = candidate(k, "build-1");
    await a.lease.start();
    const b = candidate(k, "gpu-1", throughLink);
    await b.lease.start();
    expect(b.lease.current).toBeNull();
    // gpu-1 bids every 50 ms; with the link cut, its next bid is neither answered nor refused.
    await proxy.cut({ mode: "blackhole" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    let closed = false;
    const closing = b.lease.close().then(() => void (closed = true));
    await waitFor("gpu-1's lease to close while its link is still cut", () => closed);
    expect(proxy.state).toBe("blackhole");
    await closing;
    // The held bid reaches Redis once the link heals, and takes nothing from the leader.
    await proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readLeader(a.redis, k))?.host).toBe("build-1");
    expect(b.terms).toEqual([]);
  });

  it("refuses, in Redis, a write to an execution by a term that ended, and lets the current one and unfenced clients write", async () => {
    const k = fresh();
    const redis = connect();
    const a = candidate(k, "build-1");
    await a.lease.start();
    const old = a.lease.current!.token;
    const unfenced = new RedisExecutionStore(redis, k.prefix);
    const wf = workflowFromObject({ name: "wf", steps: [{ id: "one", agent: "x", task: "true" }] }, { file: "wf.yaml", agents: ["x"] });
    const state = await createExecution(unfenced, wf, {}, { id: "e-1" });
    const refusals: FencedError[] = [];
    const stale = new RedisExecutionStore(redis, k.prefix, { token: old, refused: (error) => refusals.push(error) });
    await stale.update(state.id, (s) => void (s.updatedAt = "term 1")); // its term holds: written
    // Its term ends (a freeze past the lease) and another host's begins.
    await a.lease.close();
    const b = candidate(k, "gpu-1");
    await b.lease.start();
    const before = await redis.get(`${k.prefix}:wf:e-1`);
    await expect(stale.update(state.id, (s) => void (s.updatedAt = "stale"))).rejects.toBeInstanceOf(FencedError);
    expect(refusals.map((e) => e.message)).toEqual([
      `refused a write to workflow execution "e-1": this host no longer leads the swarm (its fencing token ${old} is not the leader lease's)`,
    ]);
    expect(await redis.get(`${k.prefix}:wf:e-1`)).toBe(before);
    const current = new RedisExecutionStore(redis, k.prefix, { token: b.lease.current!.token });
    expect((await current.update(state.id, (s) => void (s.updatedAt = "term 2"))).updatedAt).toBe("term 2");
    // A client (approve, cancel, the API on any host) writes unfenced.
    expect((await unfenced.update(state.id, (s) => void (s.updatedAt = "client"))).updatedAt).toBe("client");
  });

  it("keeps an engine whose term ended while its step ran from recording the step or dispatching the next; the new leader's engine finishes it, each step run once", async () => {
    const k = fresh();
    const redis = connect();
    const a = candidate(k, "build-1");
    await a.lease.start();
    const wf = workflowFromObject(
      {
        name: "wf",
        steps: [
          { id: "first", agent: "x", task: "first" },
          { id: "second", agent: "x", task: "second", depends_on: ["first"] },
        ],
      },
      { file: "wf.yaml", agents: ["x"] },
    );
    const state = await createExecution(new RedisExecutionStore(redis, k.prefix), wf, {}, { id: "e-2" });
    const runnerA = new ScriptedRunner().on("first", "step", { delayMs: 400 });
    const refused: string[] = [];
    const engineA = new WorkflowEngine({
      store: new RedisExecutionStore(redis, k.prefix, { token: a.lease.current!.token, refused: (error) => refused.push(error.message) }),
      runner: runnerA,
      pollMs: 50,
    });
    const driven = engineA.resume(state.id);
    await runnerA.waitFor((call) => call.req.stepId === "first");
    // While "first" runs, the term of build-1 ends and gpu-1's begins. (Its engine is not told: to the fence, a term that
    // ended by a stop is the same as one that ran out during a freeze.)
    await a.lease.close();
    const b = candidate(k, "gpu-1");
    await b.lease.start();
    await expect(driven).rejects.toBeInstanceOf(FencedError);
    expect(refused.length).toBeGreaterThan(0);
    expect(runnerA.callsOf("second")).toEqual([]);
    const stored = (await new RedisExecutionStore(redis, k.prefix).get(state.id))!;
    expect(stored.steps.first!.status).toBe("running"); // its result was not recorded by the stale term
    expect(stored.steps.second!.status).toBe("pending");
    // The new leader adopts "first" (same idempotency key: the same task in the swarm) and goes on.
    const runnerB = new ScriptedRunner();
    const engineB = new WorkflowEngine({ store: new RedisExecutionStore(redis, k.prefix, { token: b.lease.current!.token }), runner: runnerB, pollMs: 50 });
    const done = await engineB.resume(state.id);
    expect(done.status).toBe("completed");
    // Every call for "first", by either engine, asked for the one task of attempt 1 (a driver may re-adopt it before it notices its own failure).
    const keysOfFirst = new Set([...runnerA.callsOf("first"), ...runnerB.callsOf("first")].map((c) => c.req.idempotencyKey));
    expect([...keysOfFirst]).toEqual([`wf:${state.id}:first:step:1`]);
    expect(runnerB.callsOf("second")).toHaveLength(1);
    expect(done.steps.first!.attempts).toBe(1);
  });
});
