/**
 * GET /health: each component `ok`, `degraded` or `down`, and the whole
 * `down` (HTTP 503) when Redis or the supervisor is down, `degraded` (200)
 * when any part is. Every probe has its own time limit, so a hung Redis
 * makes /health answer 503 quickly instead of hanging the load balancer.
 */
import type { LeaderStatus, SwarmClient, SwarmStatus } from "../client/index.js";
import { describeHistoryWriter, HISTORY_BEHIND_LIMIT, type HistoryWriterState } from "../core/index.js";

export type Level = "ok" | "degraded" | "down";

export interface Component {
  status: Level;
  detail?: string;
  /** When it is not ok: what a person can do about it (a command to run, or that it heals by itself). */
  fix?: string;
  roundTripMs?: number;
}

export interface HealthReport {
  status: Level;
  components: Record<string, Component>;
  agents: Record<string, Component>;
  /** With `hosts:`: the host holding the leader lease (null: none does). */
  leader?: LeaderStatus | null;
}

export type ComponentProbe = () => Promise<Component>;

const PROBE_MS = 1000;
/** Reading the status is several round trips (every session, every queue): more time than a PING. */
const STATUS_MS = 3000;
/** The bridge writes every live session's heartbeat every 15 s; three missed beats mean it is not doing its rounds. */
const SESSION_HEARTBEAT_STALE_MS = 45_000;

export class HealthCheck {
  constructor(
    private readonly client: SwarmClient,
    private readonly probes: Readonly<Record<string, ComponentProbe>> = {},
  ) {}

  async report(): Promise<HealthReport> {
    const components: Record<string, Component> = {};
    const agents: Record<string, Component> = {};
    const started = performance.now();
    const pong = await within(this.client.ping(), PROBE_MS).catch((error: unknown) => error as Error);
    if (pong instanceof Error) {
      components.redis = { status: "down", detail: pong.message, fix: FIX.redis };
      return { status: "down", components, agents };
    }
    components.redis = { status: "ok", roundTripMs: round(performance.now() - started) };
    const status = await within(this.client.status(), STATUS_MS).catch((error: unknown) => error as Error);
    if (status instanceof Error) {
      components.supervisor = { status: "down", detail: `status unreadable: ${status.message}`, fix: FIX.supervisor };
    } else {
      components.supervisor = status.daemon.alive ? { status: "ok" } : { status: "down", detail: "no daemon heartbeat in the last 15 s", fix: FIX.supervisor };
      components.bridge = bridgeHealth(status);
      if (status.hosts) components.leader = leaderHealth(status.leader ?? null);
      for (const agent of status.agents) agents[agent.name] = agentHealth(agent);
    }
    components.history = await within(this.client.historyWriter(), PROBE_MS).then(historyHealth, (error: unknown) => ({
      status: "degraded" as const,
      detail: `the history writer's state is unreadable: ${(error as Error).message}`,
      fix: FIX.history,
    }));
    for (const [name, probe] of Object.entries(this.probes)) {
      components[name] = await within(probe(), PROBE_MS).catch((error: unknown) => ({ status: "down" as const, detail: (error as Error).message }));
      if (components[name].status !== "ok" && components[name].fix === undefined) components[name].fix = FIX.doctor;
    }
    const levels = [...Object.values(components), ...Object.values(agents)].map((c) => c.status);
    const down = components.redis.status === "down" || components.supervisor?.status === "down";
    const leader = status instanceof Error || !status.hosts ? {} : { leader: status.leader ?? null };
    return { status: down ? "down" : levels.some((l) => l !== "ok") ? "degraded" : "ok", components, agents, ...leader };
  }
}

/** The durable history (docs/HISTORY.md): a store outage or a writer far behind degrades the swarm; tasks run on either way. */
function historyHealth(writer: HistoryWriterState): Component {
  const detail = describeHistoryWriter(writer);
  if (writer.state === "degraded" || (writer.behind ?? 0) > HISTORY_BEHIND_LIMIT) return { status: "degraded", detail, fix: FIX.history };
  return { status: "ok", detail };
}

/** A swarm with `hosts:` and no leader runs tasks, but drives no workflow and sweeps nothing until a host takes the lease. */
function leaderHealth(leader: LeaderStatus | null): Component {
  if (leader === null)
    return {
      status: "degraded",
      detail: "no host holds the leader lease: workflows wait, nothing is swept",
      fix: "a host whose daemon is up takes the lease within seconds; when none is up, start one: `claude-agent up --host NAME --detach`",
    };
  return { status: "ok", detail: `${leader.host} leads (fencing token ${leader.token}, since ${leader.since})` };
}

function bridgeHealth(status: SwarmStatus): Component {
  const live = status.sessions.filter((s) => s.state === "idle" || s.state === "busy");
  const stale = live.filter((s) => s.heartbeatAt !== null && Date.now() - Date.parse(s.heartbeatAt) > SESSION_HEARTBEAT_STALE_MS);
  if (stale.length > 0)
    return {
      status: "degraded",
      detail: `no session heartbeat for 45 s: ${stale.map((s) => s.name).join(", ")}`,
      fix: `the bridge is not doing its rounds for these sessions: \`claude-agent restart ${stale[0]?.name}\`; why: \`claude-agent logs\``,
    };
  return { status: "ok" };
}

function agentHealth(agent: SwarmStatus["agents"][number]): Component {
  const up = agent.sessions.filter((s) => s.state === "idle" || s.state === "busy").length;
  const detail = `${up}/${agent.sessions.length} sessions up${agent.parkedUntil ? `; parked${agent.parkedHosts ? ` on ${agent.parkedHosts.join(", ")}` : ""} until ${agent.parkedUntil}` : ""}${agent.breaker ? `; breaker ${agent.breaker.state}` : ""}`;
  if (up === 0) return { status: "down", detail, fix: agentFix(agent) };
  if (up < agent.sessions.length || agent.breaker || agent.parkedUntil) return { status: "degraded", detail, fix: agentFix(agent) };
  return { status: "ok", detail };
}

/** What to do about an agent that is not ok: a usage limit waits by itself, anything else starts with its log. */
function agentFix(agent: SwarmStatus["agents"][number]): string {
  if (agent.parkedUntil) return `nothing: its program hit a usage limit and its tasks wait until ${agent.parkedUntil}`;
  const down = agent.sessions.find((s) => s.state !== "idle" && s.state !== "busy");
  const restart = down ? `; \`claude-agent restart ${down.name}\` starts its session again` : "";
  if (agent.breaker)
    return `its tasks failed one after another and its queue waits (breaker ${agent.breaker.state}): \`claude-agent logs ${agent.name}\` says why${restart}`;
  return `\`claude-agent logs ${agent.name}\` says why${restart}`;
}

/** The fixes that depend on nothing but the component. */
const FIX = {
  redis:
    "nothing can be queued or finished until Redis answers: `claude-agent doctor` checks it (its socket, or REDIS_URL); a swarm's own Redis starts again with `claude-agent up`",
  supervisor: "the swarm's daemon is not running: `claude-agent up --detach` (under pm2: `pm2 restart claude-agent`); why it stopped: `claude-agent logs`",
  history: "tasks run on; the history catches up once its store answers: `claude-agent doctor` shows the history writer",
  doctor: "`claude-agent doctor` says what is wrong and how to fix it",
} as const;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
