/**
 * /metrics is Prometheus' text format: `promtool check metrics` finds
 * nothing to complain about, and a real Prometheus server (Debian's
 * `prometheus`, installed here when missing) scrapes it with a bearer token
 * file, on a private port with its own config and data folder.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientInternals } from "../../client/index.js";
import { queueName } from "../../core/index.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";
import { ensurePrometheus, INSTALL_TIMEOUT_MS } from "../helpers/debian.js";
import { freePort } from "../security/redis-support.js";
import { waitFor } from "../helpers/wait.js";

describe("Prometheus metrics", () => {
  let api: ApiSwarm;
  let prometheus: ChildProcess | null = null;
  let dir = "";

  beforeAll(async () => {
    ensurePrometheus();
    api = await startApiSwarm();
    dir = mkdtempSync(join(tmpdir(), "ca-prom-"));
  }, INSTALL_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    prometheus?.kill("SIGKILL");
    await api?.swarm.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renders every promised metric, and promtool finds nothing wrong with them", async () => {
    const task = await api.call("POST", "/v1/tasks", { body: { task: "echo counted", agent: "alpha" } });
    await api.call("GET", `/v1/tasks/${task.json.id}?wait=30`);
    const metrics = await waitFor("the completion to be counted", async () => {
      const reply = await api.call("GET", "/metrics");
      return reply.text.includes('claude_agent_tasks_total{agent="alpha",status="completed"}') ? reply : null;
    });
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    for (const name of [
      "claude_agent_tasks_total",
      "claude_agent_queue_jobs",
      "claude_agent_dispatch_latency_seconds_bucket",
      "claude_agent_task_duration_seconds_bucket",
      "claude_agent_completion_latency_seconds_bucket",
      "claude_agent_sessions",
      "claude_agent_parked",
      "claude_agent_redis_up",
      "claude_agent_redis_round_trip_seconds",
      "claude_agent_daemon_up",
      "claude_agent_api_requests_total",
      "claude_agent_api_request_duration_seconds_bucket",
    ])
      expect(metrics.text, name).toContain(name);
    expect(metrics.text).toMatch(/claude_agent_sessions\{agent="alpha",state="idle"\} [12]/);
    expect(metrics.text).toContain('claude_agent_api_requests_total{route="/v1/tasks",method="POST",code="201"} 1');
    const check = spawnSync("promtool", ["check", "metrics"], { input: metrics.text, encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("counts an agent's queue as BullMQ does (waiting: its waiting and prioritized jobs; active) and its busy session", async () => {
    const swarm = await api.swarm.connect();
    // Runs until the test lets it go: the queue behind it stays as submitted however slow the machine.
    const release = join(dir, "release-beta");
    const blocker = await swarm.submit({ task: `until [ -e ${release} ]; do sleep 0.05; done`, agent: "beta" });
    await waitFor("the blocker to run", async () => (await swarm.client.get(blocker.id)).status === "running");
    const queued = await Promise.all([
      swarm.submit({ task: "echo plain-1", agent: "beta" }),
      swarm.submit({ task: "echo plain-2", agent: "beta" }),
      swarm.submit({ task: "echo urgent-1", agent: "beta", priority: 1 }),
      swarm.submit({ task: "echo urgent-2", agent: "beta", priority: 5 }),
    ]);
    const internals = clientInternals(swarm.client);
    const queue = new Queue(queueName("beta"), { connection: internals.redis, prefix: internals.keys.prefix });
    const bullmq = await queue.getJobCounts("waiting", "prioritized", "active", "delayed");
    // Jobs with a priority, and those without when the queue orders by priority, wait in BullMQ's prioritized set.
    expect(bullmq.waiting! + bullmq.prioritized!).toBe(4);
    expect(bullmq).toMatchObject({ prioritized: expect.any(Number), active: 1, delayed: 0 });
    const status = await swarm.status();
    expect(status.agents.find((agent) => agent.name === "beta")?.queue).toEqual({
      agent: "beta",
      waiting: 4,
      active: 1,
      completed: expect.any(Number),
      failed: 0,
      delayed: 0,
    });
    // The gauges are read at most once a second: a scrape shows these within that.
    const metrics = await waitFor("the gauges to show the queue", async () => {
      const text = (await api.call("GET", "/metrics")).text;
      return text.includes('claude_agent_queue_jobs{agent="beta",state="waiting"} 4') ? text : null;
    });
    expect(metrics).toContain('claude_agent_queue_jobs{agent="beta",state="active"} 1');
    expect(metrics).toContain('claude_agent_queue_jobs{agent="beta",state="delayed"} 0');
    expect(metrics).toContain('claude_agent_sessions{agent="beta",state="busy"} 1');
    writeFileSync(release, "");
    for (const handle of [blocker, ...queued]) expect((await handle.result()).status).toBe("completed");
  });

  it("needs a token unless api.metrics is public", async () => {
    expect((await api.call("GET", "/metrics", { token: null })).status).toBe(401);
  });

  it("is scraped by a real Prometheus server with a bearer token file", async () => {
    const port = await freePort();
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, api.token, { mode: 0o600 });
    const target = new URL(api.url).host;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: swarm
    metrics_path: /metrics
    authorization: { type: Bearer, credentials_file: ${tokenFile} }
    static_configs: [{ targets: ["${target}"] }]
`,
    );
    prometheus = spawn(
      "prometheus",
      [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: "ignore" },
    );
    const query = async (promql: string) => {
      const reply = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => null);
      if (!reply?.ok) return [];
      return ((await reply.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    const up = await waitFor(
      "a successful scrape",
      async () => {
        const result = await query('up{job="swarm"}');
        return result[0]?.value[1] === "1" ? result : null;
      },
      { timeoutMs: 90_000 },
    );
    expect(up[0]!.metric.instance).toBe(target);
    const redis = await waitFor("the Redis gauge", async () => ((await query("claude_agent_redis_up")).length ? query("claude_agent_redis_up") : null), {
      timeoutMs: 30_000,
    });
    expect(redis[0]!.value[1]).toBe("1");
    const sessions = await query('sum(claude_agent_sessions{state=~"idle|busy"})');
    expect(Number(sessions[0]!.value[1])).toBe(3);
  }, 150_000);
});
