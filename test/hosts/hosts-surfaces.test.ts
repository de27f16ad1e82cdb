/**
 * Issue 16, second slice: labels and hosts beyond `submit --needs`. Two homes
 * stand for two machines sharing one real redis-server with a password, as in
 * two-hosts.test.ts: `needs:` on a workflow step, `needs` in the HTTP API, in
 * MCP and through `--url`, each session's host in the API's agents, and
 * doctor's checks across hosts. Nothing is mocked.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Reply } from "../api/support.js";
import type { TestSwarm } from "../helpers/swarm.js";
import { startTwoHosts, type TwoHosts } from "./support.js";

const SWARM = `hosts2-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: { labels: [linux, docker] }
  gpu-1:   { labels: [linux, gpu] }
agents:
  - { name: api, runtime: shell, replicas: 2, hosts: [build-1, gpu-1], timeout: 60 }
  - { name: trainer, runtime: shell, hosts: [gpu-1], labels: [cuda], timeout: 60 }
default_agent: api
api:
  listen: 127.0.0.1:0
`;

describe("needs and hosts in workflows, the HTTP API, MCP and doctor", { timeout: 300_000 }, () => {
  let pair: TwoHosts;
  let build: TestSwarm;
  let gpu: TestSwarm;
  let url: string;
  let token: string;
  const api = (method: string, path: string, body?: unknown): Promise<Reply> => call(url, token, method, path, body === undefined ? {} : { body });

  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "hosts2-pw");
    ({ build, gpu } = pair);
    // The API of the build host's daemon: the gpu host's agent must be reachable through it.
    url = (JSON.parse(readFileSync(join(build.paths.runDir, "api.json"), "utf8")) as { url: string }).url;
    token = readFileSync(join(build.home, "api.token"), "utf8").trim();
  }, 200_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it("runs a workflow step with needs: [gpu] on the agent of the gpu host", () => {
    const file = join(gpu.home, "train.yaml");
    writeFileSync(file, "name: train\nsteps:\n  - { id: where, needs: [gpu], task: pwd }\n");
    const run = gpu.cli(["workflow", "run", "--file", file, "--wait", "--json"]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const state = JSON.parse(run.stdout) as { status: string; steps: Record<string, { agent: string; output: string }> };
    expect(state.status).toBe("completed");
    expect(state.steps.where).toMatchObject({ agent: "trainer", output: `${gpu.home}\n` });
  });

  it("refuses at validation a step whose named agent lacks a label it needs, naming the step", () => {
    const file = join(build.home, "bad.yaml");
    writeFileSync(file, "name: bad\nsteps:\n  - { id: train, agent: api, needs: [gpu], task: pwd }\n");
    const run = build.cli(["workflow", "validate", file]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('steps.0.needs: step "train" names agent "api", which does not have every label it needs (gpu); api: linux');
  });

  it("routes POST /v1/tasks with needs to the agent having the labels, and documents the field", async () => {
    const posted = await api("POST", "/v1/tasks", { task: "pwd", needs: ["gpu"] });
    expect(posted.status, posted.text).toBe(201);
    expect(posted.json).toMatchObject({ agent: "trainer", routedBy: "labels: gpu" });
    expect((await api("GET", `/v1/tasks/${posted.json.id}?wait=30`)).json).toMatchObject({ status: "completed", output: `${gpu.home}\n` });
    const doc = (await api("GET", "/openapi.json")).json;
    const body = doc.paths["/v1/tasks"].post.requestBody.content["application/json"].schema;
    expect(body.properties.needs).toMatchObject({ type: "array", items: { type: "string" } });
    expect(doc.paths["/v1/tasks"].post.responses["422"]).toBeDefined();
  });

  it("answers needs no agent has with a 422 problem on /needs listing each agent's labels", async () => {
    const refused = await api("POST", "/v1/tasks", { task: "true", needs: ["gpu", "docker"] });
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.json.errors).toEqual([
      {
        pointer: "/needs",
        in: "body",
        detail: "no agent has every label this task needs (gpu, docker); labels of the agents: api: linux; trainer: cuda, gpu, linux",
      },
    ]);
    const named = await api("POST", "/v1/tasks", { task: "true", agent: "api", needs: ["gpu"] });
    expect(named.status).toBe(422);
    expect(named.json.errors[0].detail).toBe('agent "api" does not have every label this task needs (gpu); labels of the agents: api: linux');
    expect((await api("POST", "/v1/tasks", { task: "true", needs: ["GPU"] })).status).toBe(400);
  });

  it("takes needs in the MCP submit_task tool, and says which labels exist when none fits", async () => {
    const tool = (args: Record<string, unknown>) =>
      call(url, token, "POST", "/mcp", {
        body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "submit_task", arguments: args } },
        headers: { accept: "application/json, text/event-stream" },
      });
    const ok = await tool({ task: "pwd", needs: ["cuda"] });
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.json.result.content[0].text)).toMatchObject({ agent: "trainer" });
    const none = await tool({ task: "pwd", needs: ["tpu"] });
    expect(none.json.result.isError).toBe(true);
    expect(none.json.result.content[0].text).toContain("labels of the agents: api: linux; trainer: cuda, gpu, linux");
  });

  it("submits with --needs through --url", () => {
    const run = build.cli(["--url", url, "--token", token, "submit", "--needs", "gpu", "--task", "pwd", "--wait", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ agent: "trainer", status: "completed", output: `${gpu.home}\n` });
    const refused = build.cli(["--url", url, "--token", token, "submit", "--needs", "tpu", "--task", "pwd"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("trainer: cuda, gpu, linux");
  });

  it("gives each session's host in GET /v1/agents and MCP's list_agents", async () => {
    type Agents = { name: string; sessions: { name: string; host: string }[] }[];
    const hosts = (agents: Agents) => agents.flatMap((a) => a.sessions.map((s) => [s.name, s.host]));
    const placed = [
      ["api-1", "build-1"],
      ["api-2", "gpu-1"],
      ["trainer-1", "gpu-1"],
    ];
    expect(hosts((await api("GET", "/v1/agents")).json.agents as Agents)).toEqual(placed);
    const listed = await call(url, token, "POST", "/mcp", {
      body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_agents", arguments: {} } },
      headers: { accept: "application/json, text/event-stream" },
    });
    expect(hosts(JSON.parse(listed.json.result.content[0].text) as Agents)).toEqual(placed);
  });

  it("records the host that ran a task on its record, its start and end events, and the host counters and histograms of /metrics", async () => {
    const posted = await api("POST", "/v1/tasks", { task: "pwd", needs: ["gpu"] });
    expect(posted.status, posted.text).toBe(201);
    const id = posted.json.id as string;
    expect((await api("GET", `/v1/tasks/${id}?wait=30`)).json).toMatchObject({ status: "completed", session: "trainer-1", host: "gpu-1" });
    const shown = build.cli(["result", id]);
    expect(shown.stdout).toContain("agent trainer (trainer-1 on gpu-1)");
    const redis = new Redis(pair.env.REDIS_URL!);
    const entries = (await redis.xrange(`ca-${SWARM}:events`, "-", "+")) as [string, string[]][];
    await redis.quit();
    const ofTask = entries
      .map(([, fields]) => Object.fromEntries(fields.flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : []))))
      .filter((e) => e.taskId === id);
    expect(ofTask.filter((e) => e.type === "task.started" || e.type === "task.completed").map((e) => [e.type, e.host])).toEqual([
      ["task.started", "gpu-1"],
      ["task.completed", "gpu-1"],
    ]);
    expect(ofTask.find((e) => e.type === "task.submitted")?.host).toBeUndefined();
    const metrics = (await api("GET", "/metrics")).text;
    const completed = metrics.match(/^claude_agent_host_tasks_total\{host="gpu-1",status="completed"\} (\d+)$/m);
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).not.toMatch(/^claude_agent_host_tasks_total\{[^}]*status="submitted"/m);
    // The task's histograms carry its host too.
    const series = (family: string, ...labels: string[]) =>
      Number(metrics.match(new RegExp(`^${family}\\{${labels.map((label) => `(?=[^}]*${label})`).join("")}[^}]*\\} (\\d+)$`, "m"))?.[1]);
    expect(series("claude_agent_dispatch_latency_seconds_count", 'agent="trainer"', 'host="gpu-1"')).toBeGreaterThanOrEqual(1);
    expect(series("claude_agent_task_duration_seconds_count", 'agent="trainer"', 'host="gpu-1"', 'status="completed"')).toBeGreaterThanOrEqual(1);
  });

  it("has doctor check the clock against Redis and fail on a host running another version", async () => {
    type Doctor = { checks: { name: string; ok: boolean; detail: string }[] };
    const checks = (home: TestSwarm) => (JSON.parse(home.cli(["doctor", "--json"]).stdout) as Doctor).checks;
    const before = checks(build);
    expect(before.find((c) => c.name === "clock skew")).toMatchObject({ ok: true });
    expect(before.find((c) => c.name === "host versions")).toMatchObject({ ok: true, detail: expect.stringContaining("(build-1, gpu-1)") });
    // A third host beating with an older claude-agent (its record as a daemon writes it).
    const redis = new Redis(pair.env.REDIS_URL!);
    const beatAt = new Date().toISOString();
    const record = { host: "edge-1", version: "0.0.9", pid: 1, machine: "edge", home: "/edge", startedAt: beatAt, beatAt, leaseMs: 30_000, sessions: [] };
    await redis.hset(`ca-${SWARM}:hosts`, "edge-1", JSON.stringify(record));
    await redis.quit();
    const after = checks(gpu).find((c) => c.name === "host versions");
    expect(after).toMatchObject({ ok: false });
    expect(after!.detail).toMatch(/^hosts on another version than this one's \(\d+\.\d+\.\d+[^)]*\): edge-1 0\.0\.9 \(up\)$/);
  });

  it("has doctor fail when an agent's program differs between its hosts", async () => {
    type Doctor = { checks: { name: string; ok: boolean; detail: string }[] };
    const programs = () => (JSON.parse(build.cli(["doctor", "--json"]).stdout) as Doctor).checks.find((c) => c.name === "program versions");
    // Shell sessions have no program version: nothing to compare.
    expect(programs()).toMatchObject({ ok: true, detail: "no agent program runs on more than one up host: nothing to compare" });
    // api's two sessions, one per host, as bridges publish them when each asked its program's --version.
    const redis = new Redis(pair.env.REDIS_URL!);
    const hostOf = async (session: string) => redis.hget(`ca-${SWARM}:session:${session}`, "host");
    expect([await hostOf("api-1"), await hostOf("api-2")].sort()).toEqual(["build-1", "gpu-1"]);
    try {
      await redis.hset(`ca-${SWARM}:session:api-1`, "programVersion", "2.0.31 (Claude Code)");
      await redis.hset(`ca-${SWARM}:session:api-2`, "programVersion", "2.0.31 (Claude Code)");
      expect(programs()).toMatchObject({ ok: true, detail: "each agent runs one program version on every host (api: build-1, gpu-1)" });
      await redis.hset(`ca-${SWARM}:session:api-2`, "programVersion", "2.0.30 (Claude Code)");
      const mixed = programs();
      expect(mixed).toMatchObject({ ok: false });
      expect(mixed!.detail).toMatch(
        /^agents whose program differs between hosts: api: build-1 2\.0\.3[01] \(Claude Code\), gpu-1 2\.0\.3[01] \(Claude Code\)$/,
      );
    } finally {
      await redis.hset(`ca-${SWARM}:session:api-1`, "programVersion", "");
      await redis.hset(`ca-${SWARM}:session:api-2`, "programVersion", "");
      await redis.quit();
    }
  });
});
