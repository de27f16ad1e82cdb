/**
 * The metrics count a task's tokens and cost from the record its own daemon
 * ended (core/task-ends.ts), without reading it back from Redis as the task's
 * terminal event arrives; a task ended elsewhere is still read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskEnds, type SwarmConfig, type TaskRecord } from "../../core/index.js";
import { SwarmClient } from "../../client/index.js";
import { ApiMetrics } from "../../api/metrics/metrics.js";
import { startRedisHome, type RedisHome } from "../history/support.js";

const CONFIG = { agents: [] } as unknown as SwarmConfig;

function ended(id: string, agent: string, tokens: number, cost: number): TaskRecord {
  const at = new Date().toISOString();
  return {
    id,
    agent,
    session: `${agent}-1`,
    status: "completed",
    exitCode: 0,
    output: "done",
    outputFile: null,
    submittedAt: at,
    startedAt: at,
    finishedAt: at,
    durationMs: 1,
    attempts: 1,
    task: "t",
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
    inputTokens: tokens,
    costUsd: cost,
  };
}

const terminal = (taskId: string, agent: string) => ({ id: "1-0", type: "task.completed", at: new Date().toISOString(), taskId, agent, status: "completed" });

describe("the API's task metrics", () => {
  let home: RedisHome;
  beforeAll(async () => {
    home = await startRedisHome();
  });
  afterAll(async () => {
    await home?.close();
  });

  it("count tokens and cost of a task this daemon ended from the record it was told, not a read", async () => {
    const ends = new TaskEnds();
    const client = new SwarmClient(home.redis, CONFIG, () => home.connect("w"), "ca", { ends });
    const metrics = new ApiMetrics(client);
    try {
      // Never written to Redis: a read would find nothing to count.
      ends.tell(ended("mhx1local-abc123", "alpha", 42, 0.25));
      metrics.observe([terminal("mhx1local-abc123", "alpha")]);
      const text = await metrics.render();
      expect(text).toContain('claude_agent_tokens_total{agent="alpha",kind="input"} 42');
      expect(text).toContain('claude_agent_cost_usd_total{agent="alpha"} 0.25');
    } finally {
      metrics.close();
      metrics.close();
      await client.close();
    }
  });

  it("read the record of a task ended elsewhere", async () => {
    const client = new SwarmClient(home.redis, CONFIG, () => home.connect("w2"), "ca", { ends: new TaskEnds() });
    const metrics = new ApiMetrics(client);
    try {
      const id = await home.submit("echo", { agent: "beta" });
      await home.ledger.finish(id, "completed", { exitCode: 0, output: "", finishedAt: new Date().toISOString(), inputTokens: 7 }, "beta");
      metrics.observe([terminal(id, "beta")]);
      await expect.poll(async () => metrics.render()).toContain('claude_agent_tokens_total{agent="beta",kind="input"} 7');
    } finally {
      metrics.close();
      await client.close();
    }
  });
});
