/**
 * Issue 16, first slice: one swarm over two hosts. Two homes stand for two
 * machines: the same swarm.yaml (same swarm name), one shared Redis with a
 * password (a real redis-server on loopback), each daemon started with its
 * own `up --host`, each with its own tmux server. Nothing is mocked.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../client/index.js";
import { runCli, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { startTwoHosts, type TwoHosts } from "./support.js";

const SWARM = `hosts-${process.pid}`;
const YAML = `swarm: ${SWARM}
hosts:
  build-1: { ssh: ci@build-1, labels: [linux, docker] }
  gpu-1:   { ssh: ml@gpu-1, labels: [linux, gpu] }
  edge-1:  { labels: [arm] }
agents:
  - { name: api, runtime: shell, replicas: 2, hosts: [build-1, gpu-1], timeout: 60 }
  - { name: trainer, runtime: shell, hosts: [gpu-1], labels: [cuda], timeout: 60 }
default_agent: api
`;

interface HostJson {
  name: string;
  state: string;
  version: string | null;
  home: string | null;
  heartbeatAgeMs: number | null;
  sessions: string[];
}
interface StatusJson {
  daemon: { alive: boolean };
  hosts: HostJson[];
  sessions: { name: string; host: string; state: string }[];
}

/** The sessions of a home's own tmux server: what that "machine" really runs. */
function tmuxSessions(home: string): string[] {
  const out = execFileSync("tmux", ["-S", join(home, "run", "tmux.sock"), "list-sessions", "-F", "#{session_name}"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((name) => name !== "" && !name.startsWith("_"))
    .sort();
}

describe("one swarm on two hosts sharing one Redis", { timeout: 240_000 }, () => {
  let pair: TwoHosts;
  let env: NodeJS.ProcessEnv;
  let build: TestSwarm;
  let gpu: TestSwarm;
  const spare = tempHome();
  beforeAll(async () => {
    pair = await startTwoHosts(YAML, "hosts-pw");
    ({ env, build, gpu } = pair);
  }, 150_000);
  afterAll(async () => {
    runCli(["down"], { home: spare, env });
    rmSync(spare, { recursive: true, force: true });
    await pair?.stop();
  });

  it("brings up on each host only the replicas placed there, numbered once across the swarm", () => {
    expect(tmuxSessions(build.home)).toEqual(["api-1"]);
    expect(tmuxSessions(gpu.home)).toEqual(["api-2", "trainer-1"]);
  });

  it("runs a task needing gpu on the gpu host's agent, and its result reaches a CLI on the other host", () => {
    // The agents' cwd is their home's folder (relative to each host's swarm.yaml): pwd says which host ran it.
    const run = build.cli(["submit", "--needs", "gpu", "--task", "pwd", "--wait", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { agent: string; session: string; status: string; output: string };
    expect(result).toMatchObject({ agent: "trainer", session: "trainer-1", status: "completed" });
    expect(result.output.trim()).toBe(gpu.home);
  });

  it("routes by needs through the SDK too", async () => {
    process.env.REDIS_URL = env.REDIS_URL; // the SDK client of this test process reaches the shared Redis
    const swarm = await connect({ home: build.home });
    try {
      const handle = await swarm.submit({ task: "pwd", needs: ["gpu"] });
      expect(handle).toMatchObject({ agent: "trainer", routedBy: "labels: gpu" });
      expect(await handle.result()).toMatchObject({ status: "completed", output: `${gpu.home}\n` });
    } finally {
      await swarm.close();
      delete process.env.REDIS_URL;
    }
  });

  it("refuses a task whose labels no agent has all of, listing each agent's labels", () => {
    const run = gpu.cli(["submit", "--needs", "gpu,docker", "--task", "true"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("no agent has every label this task needs (gpu, docker)");
    // api's hosts share only linux (gpu is on one of them): a replica on build-1 must never get a gpu task.
    expect(run.stderr).toContain("api: linux");
    expect(run.stderr).toContain("trainer: cuda, gpu, linux");
  });

  it("shows from either home every host with its heartbeat and version, and the host of each session", () => {
    for (const home of [build, gpu]) {
      const run = home.cli(["status", "--json"]);
      expect(run.exitCode, run.stderr).toBe(0);
      const status = JSON.parse(run.stdout) as StatusJson;
      expect(status.daemon.alive).toBe(true);
      expect(status.hosts.map((h) => [h.name, h.state, h.home])).toEqual([
        ["build-1", "up", build.home],
        ["gpu-1", "up", gpu.home],
        ["edge-1", "never", null],
      ]);
      expect(status.hosts[0]!.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(status.hosts[1]!.sessions).toEqual(["api-2", "trainer-1"]);
      expect(status.sessions.map((s) => [s.name, s.host, s.state])).toEqual([
        ["api-1", "build-1", "idle"],
        ["api-2", "gpu-1", "idle"],
        ["trainer-1", "gpu-1", "idle"],
      ]);
    }
    const human = build.cli(["status"]).stdout;
    expect(human).toContain("running (2 of 3 hosts up)");
    expect(human).toMatch(/HOST\s+STATE\s+HEARTBEAT\s+VERSION/);
    expect(human).toMatch(/trainer-1\s+gpu-1\s+shell\s+idle/);
  });

  it("shows a host whose last beat is older than its lease as silent", async () => {
    // What a host that died leaves behind: its record, beating no more (written as its daemon writes it).
    const redis = new Redis(env.REDIS_URL!);
    const beatAt = new Date(Date.now() - 120_000).toISOString();
    const record = { host: "edge-1", version: "0.0.9", pid: 1, machine: "edge", home: "/gone", startedAt: beatAt, beatAt, leaseMs: 30_000, sessions: [] };
    await redis.hset(`ca-${SWARM}:hosts`, "edge-1", JSON.stringify(record));
    await redis.quit();
    const status = JSON.parse(gpu.cli(["status", "--json"]).stdout) as StatusJson;
    expect(status.hosts.find((h) => h.name === "edge-1")).toMatchObject({ state: "silent", version: "0.0.9" });
    expect(status.hosts.find((h) => h.name === "edge-1")!.heartbeatAgeMs).toBeGreaterThan(30_000);
    expect(gpu.cli(["status"]).stdout).toMatch(/edge-1\s+SILENT \(no beat for \d+ s, lease 30 s\)/);
  });

  it("refuses a second daemon claiming a host name that is up, naming the home that has it", () => {
    writeFileSync(join(spare, "swarm.yaml"), YAML);
    const up = runCli(["up", "--host", "gpu-1", "--detach"], { home: spare, cwd: spare, env });
    expect(up.exitCode, up.stdout + up.stderr).not.toBe(0);
    expect(up.stderr).toContain(`host "gpu-1" of the swarm "ca-${SWARM}"`);
    expect(up.stderr).toContain(`is already up: home ${gpu.home}`);
    expect(up.stderr).toContain("claude-agent up --host NAME");
    // And a daemon of a swarm without hosts under the same name: the prefix is the multi-host swarm's.
    writeFileSync(join(spare, "swarm.yaml"), `swarm: ${SWARM}\nagents:\n  - { name: api, runtime: shell }\n`);
    const single = runCli(["up", "--detach"], { home: spare, cwd: spare, env });
    expect(single.exitCode, single.stdout + single.stderr).not.toBe(0);
    expect(single.stderr).toContain("belongs to another live swarm: a swarm spanning hosts");
    // The two hosts carry on.
    const run = build.cli(["submit", "--agent", "api", "--task", "echo still-up", "--wait", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "completed", output: "still-up\n" });
  });

  it("shows a host stopped with down as stopped and its sessions down, while the other host runs on", () => {
    expect(gpu.cli(["down"]).exitCode).toBe(0);
    const run = build.cli(["status", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as StatusJson;
    expect(status.hosts.map((h) => [h.name, h.state])).toEqual([
      ["build-1", "up"],
      ["gpu-1", "stopped"],
      ["edge-1", "silent"],
    ]);
    expect(status.sessions.map((s) => [s.name, s.state])).toEqual([
      ["api-1", "idle"],
      ["api-2", "down"],
      ["trainer-1", "down"],
    ]);
  });

  it("refuses a config naming an unknown host, and --host naming one swarm.yaml does not declare", () => {
    writeFileSync(join(spare, "swarm.yaml"), YAML.replace("hosts: [gpu-1], labels", "hosts: [gpu-2], labels"));
    const bad = runCli(["up", "--host", "gpu-1", "--detach"], { home: spare, cwd: spare, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('agents.1.hosts.0: unknown host "gpu-2"; hosts are build-1, gpu-1, edge-1 (declare it under `hosts:`)');
    writeFileSync(join(spare, "swarm.yaml"), YAML);
    const unknown = runCli(["up", "--host", "tpu-1", "--detach"], { home: spare, cwd: spare, env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown host "tpu-1"; hosts are build-1, gpu-1, edge-1');
    expect(unknown.stderr).toContain("claude-agent up --host build-1");
  });

  it("refuses to join a host beating with another claude-agent version, naming it", async () => {
    // gpu-1 is down (above): its record rewritten as a daemon of an older claude-agent writes it, beating now.
    const redis = new Redis(env.REDIS_URL!);
    const key = `ca-${SWARM}:hosts`;
    const before = (await redis.hget(key, "gpu-1"))!;
    const beatAt = new Date().toISOString();
    await redis.hset(key, "gpu-1", JSON.stringify({ ...JSON.parse(before), version: "0.0.9", beatAt, stoppedAt: undefined }));
    try {
      writeFileSync(join(spare, "swarm.yaml"), YAML);
      const up = runCli(["up", "--host", "edge-1", "--detach"], { home: spare, cwd: spare, env });
      expect(up.exitCode, up.stdout + up.stderr).toBe(4);
      expect(up.stderr).toMatch(/host edge-1 runs claude-agent \d+\.\d+\.\d+\S*, but gpu-1 runs 0\.0\.9: hosts of one swarm must run one version/);
      expect(up.stderr).toContain("claude-agent up --host NAME");
    } finally {
      await redis.hset(key, "gpu-1", before);
      await redis.quit();
    }
  });

  it("numbers each text of swarm.yaml and names the hosts still running an older one after a host starts with an edited copy", () => {
    const hostConfigs = (home: TestSwarm) =>
      (JSON.parse(home.cli(["status", "--json"]).stdout) as { hosts: { name: string; config: { version: number; standing: string } | null }[] }).hosts.map(
        (h) => [h.name, h.config?.version ?? null, h.config?.standing ?? null],
      );
    // Both hosts loaded the same text: version 1.
    expect(hostConfigs(build).slice(0, 2)).toEqual([
      ["build-1", 1, "current"],
      ["gpu-1", 1, "current"],
    ]);
    // edge-1 starts with an edited copy (nothing is placed on it, so it brings up no session).
    writeFileSync(join(spare, "swarm.yaml"), `${YAML}# retention changed on edge-1\n`);
    const up = runCli(["up", "--host", "edge-1", "--detach"], { home: spare, cwd: spare, env });
    expect(up.exitCode, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(
      /config: swarm\.yaml v2 \([0-9a-f]{12}\), changed since v1 \([0-9a-f]{12}, loaded by (build|gpu)-1 at [^)]+\); build-1 still runs another until restarted with this file/,
    );
    expect(hostConfigs(build)).toEqual([
      ["build-1", 1, "differs"],
      ["gpu-1", 1, "differs"],
      ["edge-1", 2, "current"],
    ]);
    const human = build.cli(["status"]).stdout;
    expect(human).toMatch(/build-1\s+up.*v1 OTHER FILE/);
    expect(human).toContain("build-1 still runs another swarm.yaml than the last one an `up` loaded");
    const doctor = JSON.parse(build.cli(["doctor", "--json"]).stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(doctor.checks.find((c) => c.name === "host configs")).toMatchObject({ ok: false, detail: expect.stringContaining(": build-1 v1 (") });
    expect(runCli(["down"], { home: spare, env }).exitCode).toBe(0);
  });
});
