/**
 * The gauges read from Redis as Prometheus text (api/metrics/gauges.ts): one
 * series per agent and state, the breaker only while it is not closed, the
 * last state kept with `redis_up 0` when Redis stops answering, label values
 * escaped; promtool finds nothing wrong with what it writes.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import type { AgentStatus, HostStatus, SwarmStatus } from "../../client/index.js";
import type { SessionInfo } from "../../core/index.js";
import { gaugeText } from "../../api/metrics/gauges.js";
import { ensurePrometheus, INSTALL_TIMEOUT_MS } from "../helpers/debian.js";

function session(agent: string, n: number, state: SessionInfo["state"]): SessionInfo {
  return { name: `${agent}-${n}`, agent, state, currentTask: null, completed: 0, failed: 0, restarts: 0, startedAt: null, heartbeatAt: null, host: "h" };
}

function agent(name: string, states: SessionInfo["state"][], more: Partial<AgentStatus> = {}): AgentStatus {
  return {
    name,
    runtime: "shell",
    replicas: states.length,
    sessions: states.map((state, i) => session(name, i + 1, state)),
    queue: { agent: name, waiting: 4, active: 1, completed: 7, failed: 2, delayed: 0 },
    ...more,
  };
}

const status: SwarmStatus = {
  agents: [
    agent("web", ["busy", "idle", "idle"]),
    agent("tests", ["down"], {
      parkedUntil: "2030-01-01T00:00:00.000Z",
      breaker: { state: "open", until: "2030-01-01T00:00:00.000Z", reason: "x" },
    }),
  ],
  sessions: [],
  daemon: { pid: 1, startedAt: null, heartbeatAt: null, alive: true },
};

describe("the gauges' text", () => {
  // promtool checks the text; this file installs it itself when missing (it may run before prometheus.test.ts).
  beforeAll(() => ensurePrometheus(), INSTALL_TIMEOUT_MS);

  it("writes each agent's queue depths and sessions by state, parking, breakers, the daemon and Redis", () => {
    const text = gaugeText({ status, redisUp: true, redisRoundTripSeconds: 0.0004 });
    for (const line of [
      'claude_agent_queue_jobs{agent="web",state="waiting"} 4',
      'claude_agent_queue_jobs{agent="web",state="active"} 1',
      'claude_agent_queue_jobs{agent="web",state="completed"} 7',
      'claude_agent_queue_jobs{agent="web",state="failed"} 2',
      'claude_agent_queue_jobs{agent="web",state="delayed"} 0',
      'claude_agent_sessions{agent="web",state="idle"} 2',
      'claude_agent_sessions{agent="web",state="busy"} 1',
      'claude_agent_sessions{agent="web",state="down"} 0',
      'claude_agent_sessions{agent="tests",state="down"} 1',
      'claude_agent_parked{agent="web"} 0',
      'claude_agent_parked{agent="tests"} 1',
      'claude_agent_breaker_open{agent="tests",state="open"} 1',
      "claude_agent_daemon_up 1",
      "claude_agent_redis_up 1",
      "claude_agent_redis_round_trip_seconds 0.0004",
    ])
      expect(text.split("\n"), line).toContain(line);
    expect(text).not.toContain('claude_agent_breaker_open{agent="web"');
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.error, "promtool (apt-get install prometheus)").toBeUndefined();
    expect(check.stdout + check.stderr).toBe("");
  });

  it("keeps the last state read with redis_up 0 when Redis stops answering, and has only the Redis gauge before any read", () => {
    const text = gaugeText({ status, redisUp: false, redisRoundTripSeconds: 0.0004 });
    expect(text).toContain("claude_agent_redis_up 0\n");
    expect(text).toContain('claude_agent_queue_jobs{agent="web",state="waiting"} 4\n');
    const none = gaugeText({ status: null, redisUp: false, redisRoundTripSeconds: null });
    expect(none.split("\n").filter((line) => line !== "" && !line.startsWith("#"))).toEqual(["claude_agent_redis_up 0"]);
  });

  it("escapes a label value's backslash, double quote and newline", () => {
    const text = gaugeText({ status: { ...status, agents: [agent('we"ird\\\nname', ["idle"])] }, redisUp: true, redisRoundTripSeconds: 0.001 });
    expect(text).toContain('claude_agent_parked{agent="we\\"ird\\\\\\nname"} 0');
  });

  it("writes, for a swarm spanning hosts, each host's state, heartbeat age, leadership, config standing and sessions by state", () => {
    const host = (name: string, state: HostStatus["state"], more: Partial<HostStatus> = {}): HostStatus => ({
      name,
      labels: [],
      ssh: null,
      state,
      version: "1.0.0",
      pid: 1,
      machine: name,
      home: "/h",
      tmuxSocket: "/h/run/tmux.sock",
      startedAt: null,
      heartbeatAt: null,
      heartbeatAgeMs: 2500,
      leaseMs: 30_000,
      api: null,
      sessions: [],
      leader: false,
      config: { version: 2, digest: "aaaaaaaaaaaa", standing: "current" },
      ...more,
    });
    const onHosts = (name: string, n: number, state: SessionInfo["state"], on: string): SessionInfo => ({ ...session(name, n, state), host: on });
    const spanning: SwarmStatus = {
      ...status,
      agents: [
        { ...agent("api", []), sessions: [onHosts("api", 1, "busy", "build-1"), onHosts("api", 2, "lost", "gpu-1"), onHosts("api", 3, "idle", "build-1")] },
      ],
      hosts: [
        host("build-1", "up", { leader: true }),
        host("gpu-1", "silent", { heartbeatAgeMs: 45_000, config: { version: 1, digest: "bbbbbbbbbbbb", standing: "differs" } }),
        host("edge-1", "never", { heartbeatAgeMs: null, config: null }),
      ],
    };
    const text = gaugeText({ status: spanning, redisUp: true, redisRoundTripSeconds: 0.001 });
    for (const line of [
      'claude_agent_host_state{host="build-1",state="up"} 1',
      'claude_agent_host_state{host="gpu-1",state="silent"} 1',
      'claude_agent_host_state{host="gpu-1",state="up"} 0',
      'claude_agent_host_state{host="edge-1",state="never"} 1',
      'claude_agent_host_heartbeat_age_seconds{host="gpu-1"} 45',
      'claude_agent_host_leader{host="build-1"} 1',
      'claude_agent_host_leader{host="gpu-1"} 0',
      'claude_agent_host_config_current{host="build-1"} 1',
      'claude_agent_host_config_current{host="gpu-1"} 0',
      'claude_agent_host_sessions{host="build-1",state="busy"} 1',
      'claude_agent_host_sessions{host="build-1",state="idle"} 1',
      'claude_agent_host_sessions{host="gpu-1",state="lost"} 1',
      'claude_agent_host_sessions{host="edge-1",state="idle"} 0',
      // The existing family keeps its labels: dashboards built on it go on working.
      'claude_agent_sessions{agent="api",state="busy"} 1',
    ])
      expect(text.split("\n"), line).toContain(line);
    expect(text).not.toContain('claude_agent_host_heartbeat_age_seconds{host="edge-1"}');
    expect(text).not.toContain('claude_agent_host_config_current{host="edge-1"}');
    expect(gaugeText({ status, redisUp: true, redisRoundTripSeconds: 0.001 })).not.toContain("claude_agent_host_");
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.error, "promtool (apt-get install prometheus)").toBeUndefined();
    expect(check.stdout + check.stderr).toBe("");
  });
});
