/**
 * The gauges read from Redis (queue depths, sessions, breakers, parking, the
 * daemon's heartbeat, Redis itself), written straight to Prometheus' text
 * format from one status read. Through prom-client they were reset and set
 * series by series (705 with 64 agents), then rendered on every scrape: about
 * 2 ms of CPU to set and 2 to render, more than the read itself (measured in
 * the daemon's process). Here the text is made once per read, in one pass;
 * scrapes in between reuse it.
 */
import type { SwarmStatus } from "../../client/index.js";

const QUEUE_STATES = ["waiting", "active", "delayed", "completed", "failed"] as const;
const SESSION_STATES = ["starting", "idle", "busy", "down", "lost", "failed"] as const;

export interface GaugeRead {
  /** The swarm's state; null before Redis ever answered. When Redis stops answering, the last one read. */
  readonly status: SwarmStatus | null;
  readonly redisUp: boolean;
  /** The PING's round trip; null before one succeeded. */
  readonly redisRoundTripSeconds: number | null;
}

/** The gauges' families in the text exposition format, each with its HELP and TYPE. */
export function gaugeText(read: GaugeRead): string {
  const { status } = read;
  const agents = status?.agents ?? [];
  const lines: string[] = [];
  const family = (name: string, help: string): void => void lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
  family("claude_agent_queue_jobs", "Jobs in an agent's queue by state");
  for (const agent of agents) {
    for (const state of QUEUE_STATES) lines.push(`claude_agent_queue_jobs{agent="${label(agent.name)}",state="${state}"} ${agent.queue[state]}`);
  }
  family("claude_agent_sessions", "Agent sessions by state");
  for (const agent of agents) {
    const counts = new Map<string, number>();
    for (const session of agent.sessions) counts.set(session.state, (counts.get(session.state) ?? 0) + 1);
    for (const state of SESSION_STATES) lines.push(`claude_agent_sessions{agent="${label(agent.name)}",state="${state}"} ${counts.get(state) ?? 0}`);
  }
  family("claude_agent_breaker_open", "1 while the agent's circuit breaker is open or half-open");
  for (const agent of agents) {
    if (agent.breaker) lines.push(`claude_agent_breaker_open{agent="${label(agent.name)}",state="${agent.breaker.state}"} 1`);
  }
  family("claude_agent_parked", "1 while the agent's queue is parked by a rate limit");
  for (const agent of agents) lines.push(`claude_agent_parked{agent="${label(agent.name)}"} ${agent.parkedUntil ? 1 : 0}`);
  family("claude_agent_daemon_up", "1 while the daemon's heartbeat is fresh");
  if (status) lines.push(`claude_agent_daemon_up ${status.daemon.alive ? 1 : 0}`);
  hostFamilies(status, family, lines);
  family("claude_agent_redis_up", "1 when Redis answered PING");
  lines.push(`claude_agent_redis_up ${read.redisUp ? 1 : 0}`);
  family("claude_agent_redis_round_trip_seconds", "Round trip of a PING to Redis");
  if (read.redisRoundTripSeconds !== null) lines.push(`claude_agent_redis_round_trip_seconds ${read.redisRoundTripSeconds}`);
  return `${lines.join("\n")}\n`;
}

const HOST_STATES = ["up", "silent", "stopped", "never"] as const;

/**
 * A swarm with `hosts:` gets families of its own, keyed by host: a `host` label on claude_agent_sessions would
 * change every series that dashboards and alerts already use, so the sessions by host are a family beside it.
 */
function hostFamilies(status: SwarmStatus | null, family: (name: string, help: string) => void, lines: string[]): void {
  const hosts = status?.hosts;
  if (!hosts || hosts.length === 0) return;
  family("claude_agent_host_state", "1 for the state a host of the swarm is in (up, silent, stopped, never started)");
  for (const host of hosts) {
    for (const state of HOST_STATES) lines.push(`claude_agent_host_state{host="${label(host.name)}",state="${state}"} ${host.state === state ? 1 : 0}`);
  }
  family("claude_agent_host_heartbeat_age_seconds", "Age of a host's last heartbeat when read");
  for (const host of hosts)
    if (host.heartbeatAgeMs !== null) lines.push(`claude_agent_host_heartbeat_age_seconds{host="${label(host.name)}"} ${host.heartbeatAgeMs / 1000}`);
  family("claude_agent_host_leader", "1 for the host holding the leader lease");
  for (const host of hosts) lines.push(`claude_agent_host_leader{host="${label(host.name)}"} ${host.leader ? 1 : 0}`);
  family("claude_agent_host_config_current", "1 when a host runs the swarm.yaml the last up recorded, 0 when it runs another");
  for (const host of hosts) {
    if (host.config && host.config.standing !== "unknown")
      lines.push(`claude_agent_host_config_current{host="${label(host.name)}"} ${host.config.standing === "current" ? 1 : 0}`);
  }
  family("claude_agent_host_sessions", "Agent sessions by host and state");
  const counts = new Map<string, number>();
  for (const session of status.agents.flatMap((agent) => agent.sessions)) {
    const key = `${session.host ?? ""}\u0000${session.state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const host of hosts) {
    for (const state of SESSION_STATES)
      lines.push(`claude_agent_host_sessions{host="${label(host.name)}",state="${state}"} ${counts.get(`${host.name}\u0000${state}`) ?? 0}`);
  }
}

/** A label value as the format wants it: backslash, double quote and newline escaped (agent names never have them; a config could). */
function label(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}
