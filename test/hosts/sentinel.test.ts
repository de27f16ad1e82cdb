/**
 * Issue 16, item 6: a swarm on Redis Sentinel, through a failover of its primary. Real processes only: a
 * primary, two replicas and three sentinels on private loopback ports, a swarm of shell agents that reaches
 * them through `redis: { sentinels, name }` in its swarm.yaml, with `acknowledge` on. The primary is
 * SIGKILLed while tasks stream in; every task a submit accepted must run exactly once, and the swarm must
 * take tasks again once a replica is promoted. Two replicas, not one: with `acknowledge: { replicas: 1 }`,
 * a promoted replica that has no replica of its own cannot confirm anything, and every submit after the
 * failover would (rightly) be refused.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isClaudeAgentError, type TaskResult } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { recordHostFault } from "./fault-rows.js";
import { pause, startSentinelGroup, type SentinelGroup } from "./sentinel-support.js";

const PASSWORD_VARIABLE = "CA_TEST_SENTINEL_REDIS_PW";
const PASSWORD = "sentinel-test-pw";
/** Tasks accepted before the kill, and in all: enough on each side of the failover for it to land mid-stream. */
const BEFORE_KILL = 12;
const TOTAL = 40;
/** How long one task's submit is retried before the test gives up: the swarm did not come back. */
const RETRY_FOR_MS = 60_000;

interface Accepted {
  readonly key: string;
  readonly id: string;
  /** When the submit that was accepted started (ms since epoch). */
  readonly startedAt: number;
  readonly acceptedAt: number;
  readonly replicas: number | undefined;
}

describe("a swarm on Redis Sentinel through a failover of its primary", { timeout: 300_000 }, () => {
  let group: SentinelGroup;
  let swarm: TestSwarm;
  let client: Swarm;
  let runsFile: string;
  const scratch = tempHome();

  beforeAll(async () => {
    process.env[PASSWORD_VARIABLE] = PASSWORD; // the daemon, the SDK client of this test and `down` read it
    group = await startSentinelGroup({ password: PASSWORD, replicas: 2 });
    runsFile = join(scratch, "runs.log");
    writeFileSync(runsFile, "");
    const yaml = `swarm: sentinel-${process.pid}
redis:
  sentinels: [${group.sentinels.map((address) => JSON.stringify(address)).join(", ")}]
  name: ${group.name}
  password_env: ${PASSWORD_VARIABLE}
  acknowledge: { replicas: 1, timeout_ms: 1000 }
agents:
  - { name: worker, runtime: shell, replicas: 2, timeout: 60 }
default_agent: worker
`;
    swarm = await startTestSwarm(yaml);
    client = await swarm.connect();
  }, 120_000);

  afterAll(async () => {
    await swarm?.destroy();
    await group?.stop();
    rmSync(scratch, { recursive: true, force: true });
    delete process.env[PASSWORD_VARIABLE];
  });

  it("runs a task through the sentinels' primary, confirmed by a replica before the submit returns", async () => {
    const submitted = await client.submit({ task: "echo through-sentinel" });
    expect(submitted.replicas).toBeGreaterThanOrEqual(1);
    const result = await submitted.result();
    expect(result).toMatchObject({ status: "completed" });
    expect(result.output).toContain("through-sentinel");
  });

  it("lets every command of the home reach the swarm through the sentinels `up` recorded, and exit", () => {
    const status = swarm.cli(["status", "--json"]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ daemon: { alive: true } });
    // doctor asks the sentinels for the primary, then probes it as it would a REDIS_URL.
    const { checks } = JSON.parse(swarm.cli(["doctor", "--json"]).stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    const check = (name: string) => checks.find((candidate) => candidate.name === name);
    expect(check("redis")).toMatchObject({ ok: true, detail: expect.stringContaining(`sentinel group "${group.name}" via ${group.sentinels.join(",")}`) });
    expect(check("redis transport")).toMatchObject({ ok: true, detail: expect.stringContaining(`(primary of sentinel group "${group.name}")`) });
    expect(check("redis auth")).toMatchObject({ ok: true, detail: expect.stringContaining("-NOAUTH") });
  });

  it("refuses at up, exit 2: sentinels while REDIS_URL names a single Redis, and acknowledge with the embedded Redis (no replicas)", () => {
    const other = join(scratch, "other");
    mkdirSync(other);
    writeFileSync(join(other, ".claude-agent-home"), "");
    const both = runCli(["up", "--config", swarm.configFile], { home: other, cwd: other, env: { REDIS_URL: "redis://127.0.0.1:1" } });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("swarm.yaml names a Sentinel group, and REDIS_URL names a single Redis too");
    const embedded = join(other, "embedded.yaml");
    writeFileSync(embedded, "redis:\n  acknowledge: { replicas: 1, timeout_ms: 1000 }\nagents:\n  - { name: worker, runtime: shell }\napi: false\n");
    const alone = runCli(["up", "--config", embedded], { home: other, cwd: other, env: { REDIS_URL: "" } });
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain("redis.acknowledge: the embedded Redis has no replicas to acknowledge a task");
    runCli(["down"], { home: other, env: { REDIS_URL: "" } });
  });

  it("runs every task a submit accepted exactly once when the primary is SIGKILLed mid-stream, and takes tasks again after the failover", async () => {
    const accepted: Accepted[] = [];
    const refusals: string[] = [];
    let killedAt = 0;
    const oldPrimary = await group.primaryPort();
    // One submitter, as a client would be: a refused submit is retried with the same idempotency key until accepted.
    const submitter = (async () => {
      for (let i = 0; i < TOTAL; i++) {
        const key = `failover-${i}`;
        const giveUpAt = Date.now() + RETRY_FOR_MS;
        for (;;) {
          const startedAt = Date.now();
          try {
            const task = `echo ${key} >> ${runsFile}`;
            const submitted = await client.submit({ task, idempotencyKey: key });
            accepted.push({ key, id: submitted.id, startedAt, acceptedAt: Date.now(), replicas: submitted.replicas });
            break;
          } catch (error) {
            // Refusals while Redis fails over are expected; each must be one of ours (typed, with a hint) or a connection error.
            refusals.push(`${isClaudeAgentError(error) ? error.name : "connection"}: ${(error as Error).message.slice(0, 160)}`);
            if (Date.now() > giveUpAt) throw new Error(`${key}: still refused after ${RETRY_FOR_MS} ms; last refusal: ${refusals.at(-1)}`);
            await pause(100);
          }
        }
        await pause(50);
      }
    })();
    await waitFor(`${BEFORE_KILL} tasks accepted before the kill`, () => accepted.length >= BEFORE_KILL, { timeoutMs: 60_000 });
    killedAt = Date.now();
    await group.kill9(oldPrimary);
    await submitter;

    const newPrimary = await group.primaryPort();
    expect(newPrimary).not.toBe(oldPrimary);
    // Every accepted submit was confirmed by a replica (that is what accepted means with acknowledge on).
    expect(accepted.every((entry) => (entry.replicas ?? 0) >= 1)).toBe(true);
    // New tasks after the failover: submits that started after the kill were accepted.
    const afterKill = accepted.filter((entry) => entry.startedAt > killedAt);
    expect(afterKill.length).toBeGreaterThan(0);
    const firstAfter = afterKill[0]!;
    console.log(
      [
        `sentinel failover: primary :${oldPrimary} SIGKILLed after ${BEFORE_KILL} accepted tasks; :${newPrimary} promoted`,
        `recovery: first task accepted ${firstAfter.acceptedAt - killedAt} ms after the kill (${firstAfter.key})`,
        `refused submits while failing over: ${refusals.length}${refusals.length > 0 ? ` (first: ${refusals[0]}; last: ${refusals.at(-1)})` : ""}`,
      ].join("\n"),
    );

    const results = new Map<string, TaskResult>();
    // A lost task would never end: the wait is bounded so that the test says which one instead of hanging.
    for (const entry of accepted) results.set(entry.key, await client.task(entry.id).result({ signal: AbortSignal.timeout(90_000) }));
    const notCompleted = [...results].filter(([, result]) => result.status !== "completed").map(([key, result]) => `${key}: ${result.status}`);
    // Exactly once: each key's command appended its line once (a task run twice would append it twice).
    const lines = readFileSync(runsFile, "utf8").split("\n").filter(Boolean);
    const counts = new Map<string, number>();
    for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
    const wrong = accepted.filter((entry) => counts.get(entry.key) !== 1).map((entry) => `${entry.key} ran ${counts.get(entry.key) ?? 0} times`);
    console.log(`accepted ${accepted.length}, completed ${accepted.length - notCompleted.length}, ran other than once: ${wrong.length}`);
    expect(notCompleted).toEqual([]);
    expect(wrong).toEqual([]);
    // One task per key: a retried submit named the same task.
    expect(new Set(accepted.map((entry) => entry.id)).size).toBe(TOTAL);

    // Refusals are typed or connection errors, never a silent acceptance: NotReplicatedError names its task.
    for (const refusal of refusals) expect(refusal).toMatch(/^(NotReplicatedError|NotRunningError|connection): /);
    recordHostFault("sentinel", {
      recoveryMs: firstAfter.acceptedAt - killedAt,
      jobBackMs: null,
      submitted: accepted.length,
      completed: accepted.length - notCompleted.length,
      failed: notCompleted.length,
      lost: 0,
      duplicates: wrong.length,
      notes: `a primary, two replicas, three sentinels; redis.acknowledge: 1 replica; killed after ${BEFORE_KILL} accepted; ${refusals.length} submits refused while failing over, retried with the same idempotency key; each command ran once`,
    });
  });
});
