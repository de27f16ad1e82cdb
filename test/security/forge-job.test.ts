/**
 * Finding 2 (the bridge's part): the command policy used to be checked only
 * by the submitting client, so a job written straight into Redis ran on an
 * agent whose policy refuses it. Here a task hash and its BullMQ job are
 * written as anyone who reaches Redis could write them, bypassing submit:
 * the bridge checks the record against the agent's policy before every
 * dispatch, and a refused task ends `failed` with the rule in its reason,
 * without reaching a pane. Gates are commands too: a forged gate is refused
 * the same way, for any runtime.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTaskId, queueName, type TaskRecord } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { clientInternals } from "../../client/index.js";

describe("a job written straight into Redis", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-forge-job-"));
    swarm = await startTestSwarm(`
agents:
  - name: strict
    runtime: shell
    cwd: ${work}
    timeout: 20
    policy: { allow: ["^echo [a-z ]+$"], deny: ["forbidden"] }
`);
    client = await swarm.connect();
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  /** What an attacker with access to Redis writes: a ledger hash and a job on the agent's queue, no submit. */
  async function forge(task: string, extra: Partial<TaskRecord> = {}): Promise<string> {
    const { ledger, redis } = clientInternals(client.client);
    const record: TaskRecord = {
      id: newTaskId(),
      agent: "strict",
      session: null,
      status: "queued",
      exitCode: null,
      output: "",
      outputFile: null,
      submittedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      attempts: 0,
      task,
      timeoutSec: 20,
      priority: 0,
      idempotencyKey: null,
      routedBy: "forged",
      dispatch: null,
      pane: null,
      cancelRequested: false,
      ...extra,
    };
    await ledger.create(record);
    const queue = new Queue(queueName("strict"), { connection: redis, prefix: ledger.keys.prefix });
    try {
      await queue.add("task", { taskId: record.id }, { jobId: record.id, attempts: 3 });
    } finally {
      await queue.close();
    }
    return record.id;
  }

  it("is refused by the bridge when the agent's allow-list does not admit it, and never runs", async () => {
    const id = await forge(`touch ${join(work, "ran-outside-the-allow-list")}`);
    const result = await client.client.result(id, { wait: true, signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "failed", exitCode: null, session: null, reason: expect.stringContaining("allow-list") });
    expect(result.reason).toContain("checked by the bridge before dispatch");
    expect(existsSync(join(work, "ran-outside-the-allow-list"))).toBe(false);
  });

  it("is refused by the bridge when a deny rule matches, the default ones included", async () => {
    const id = await forge("echo forbidden words");
    const result = await client.client.result(id, { wait: true, signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("deny[0] forbidden") });
  });

  it("has its forged gate refused too, before its task reaches a pane", async () => {
    const id = await forge(`echo fine`, { gate: `touch ${join(work, "forged-gate-ran")}` });
    const result = await client.client.result(id, { wait: true, signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "failed", session: null, reason: expect.stringMatching(/^its gate was refused by policy: .*touch/) });
    expect(existsSync(join(work, "forged-gate-ran"))).toBe(false);
  });

  it("runs when the policy admits it", async () => {
    const id = await forge("echo allowed words");
    expect(await client.client.result(id, { wait: true, signal: AbortSignal.timeout(30_000) })).toMatchObject({
      status: "completed",
      output: "allowed words\n",
    });
  });
});
