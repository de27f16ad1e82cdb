import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  AgentSpend,
  effectiveLimits,
  type AccountConfig,
  isReached,
  type AgentConfig,
  type AgentState,
  type BudgetLimits,
  type BudgetPeriod,
  type Ledger,
  type SessionInfo,
  type SessionState,
  type Spend,
  type SwarmConfig,
} from "../core/index.js";
import { readHosts, type HostStatus } from "./host-status.js";

export interface QueueDepth {
  agent: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface AgentStatus {
  name: string;
  runtime: string;
  replicas: number;
  sessions: SessionInfo[];
  queue: QueueDepth;
  /** While its program is rate limited, the agent's queue is parked until this time (ISO 8601). */
  parkedUntil?: string;
  /** Set while the agent's circuit breaker is not closed: its jobs failed for infrastructure reasons, its queue waits. */
  breaker?: BreakerStatus;
  /** Agents with `accounts:`: the account its runs use, and those usage limited now (until when, ISO 8601). */
  accounts?: AccountsStatus;
  /** Agents with `budget:`: what they spent this period against their limit. */
  budget?: BudgetStatus;
}

export interface AccountsStatus {
  current: string;
  limited: { name: string; until: string }[];
}

export interface BudgetStatus {
  per: BudgetPeriod;
  /** The period (UTC): `2025-03-14`, `w2025-03-10`, `2025-03`. */
  period: string;
  /** When the period ends and the spend starts again from zero (ISO 8601). */
  resetsAt: string;
  spent: Spend;
  /** The limits that apply now (raised by an answer, or swarm.yaml's). */
  limit: BudgetLimits;
  /** At its limit: its queue waits (until the period ends or an answer lets it go). */
  paused: boolean;
  /** "Continue once" credits not used yet. */
  once: number;
  /** The open inbox item that asks about it, if any. */
  item?: string;
}

export interface BreakerStatus {
  /** `open`: no job is taken until `until`; `half-open`: one probe job runs, its success closes the breaker. */
  state: "open" | "half-open";
  /** When the open period ends (ISO 8601). */
  until: string;
  /** The infrastructure failure that opened it. */
  reason: string;
}

export interface SwarmStatus {
  agents: AgentStatus[];
  sessions: SessionInfo[];
  /** With `hosts:`: alive when any host beats; pid and times are the freshest live host's. */
  daemon: { pid: number | null; startedAt: string | null; heartbeatAt: string | null; alive: boolean };
  /** Only for a swarm with `hosts:` in swarm.yaml: each host, its heartbeat and version (client/host-status.ts). */
  hosts?: HostStatus[];
}

/** A heartbeat older than this means the daemon is gone. */
const HEARTBEAT_STALE_MS = 15_000;

export async function readStatus(redis: Redis, ledger: Ledger, config: SwarmConfig, queue: (agent: string) => Queue): Promise<SwarmStatus> {
  const hosts = await readHosts(redis, ledger.keys, config);
  const daemon = hosts.length > 0 ? daemonOfHosts(hosts) : await redis.hgetall(ledger.keys.daemonHeartbeat);
  const heartbeatAt = daemon.heartbeatAt ?? null;
  const alive =
    hosts.length > 0 ? hosts.some((host) => host.state === "up") : heartbeatAt !== null && Date.now() - Date.parse(heartbeatAt) < HEARTBEAT_STALE_MS;
  // A session is down when its own host is, whatever the others do.
  const hostUp = (session: string): boolean => {
    const host = hosts.find((h) => h.sessions.includes(session));
    return host === undefined ? alive : host.state === "up";
  };
  const hostOf = (session: string): string | undefined => hosts.find((h) => h.sessions.includes(session))?.name;
  const parked = await redis.hgetall(ledger.keys.parked);
  const breakers = await redis.hgetall(ledger.keys.breakers);
  const spend = new AgentSpend(redis, ledger.keys);
  const agents = await Promise.all(
    config.agents.map(async (agent): Promise<AgentStatus> => {
      const names = Array.from({ length: agent.replicas }, (_, i) => `${agent.name}-${i + 1}`);
      const sessions = await Promise.all(names.map((name) => readSession(redis, ledger, name, agent.name, hostUp(name), hostOf(name))));
      const counts = await queue(agent.name).getJobCounts("waiting", "prioritized", "active", "completed", "failed", "delayed");
      return {
        name: agent.name,
        runtime: agent.runtime,
        replicas: agent.replicas,
        sessions,
        ...(alive && parked[agent.name] && Date.parse(parked[agent.name]!) > Date.now() ? { parkedUntil: parked[agent.name]! } : {}),
        ...(alive && breakerStatus(breakers[agent.name]) ? { breaker: breakerStatus(breakers[agent.name])! } : {}),
        ...(agent.accounts?.length ? { accounts: await readAccounts(redis, ledger, agent.name, agent.accounts) } : {}),
        ...(agent.budget ? { budget: await budgetStatus(spend, agent, agent.budget) } : {}),
        queue: {
          agent: agent.name,
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          completed: sessions.reduce((sum, s) => sum + s.completed, 0),
          failed: sessions.reduce((sum, s) => sum + s.failed, 0),
          delayed: counts.delayed ?? 0,
        },
      };
    }),
  );
  return {
    agents,
    sessions: agents.flatMap((agent) => agent.sessions),
    daemon: { pid: daemon.pid ? Number(daemon.pid) : null, startedAt: daemon.startedAt ?? null, heartbeatAt, alive },
    ...(hosts.length > 0 ? { hosts } : {}),
  };
}

/** The swarm-wide daemon fields from the hosts' records: the freshest beating host's (none beating: not alive). */
function daemonOfHosts(hosts: readonly HostStatus[]): Record<string, string> {
  const live = hosts.filter((host) => host.state === "up").sort((a, b) => (a.heartbeatAgeMs ?? 0) - (b.heartbeatAgeMs ?? 0))[0];
  return live ? { pid: String(live.pid ?? ""), startedAt: live.startedAt ?? "", heartbeatAt: live.heartbeatAt ?? "" } : {};
}

/** The bridge's record of an agent's accounts (bridge/accounts.ts): `current`, and `until:<account>` in ms. */
async function readAccounts(redis: Redis, ledger: Ledger, agent: string, accounts: readonly AccountConfig[]): Promise<AccountsStatus> {
  const hash = await redis.hgetall(ledger.keys.accounts(agent));
  const names = accounts.map((account) => account.name);
  const limited = names
    .map((name) => ({ name, until: Number(hash[`until:${name}`] ?? 0) }))
    .filter((entry) => entry.until > Date.now())
    .map((entry) => ({ name: entry.name, until: new Date(entry.until).toISOString() }));
  return { current: hash.current && names.includes(hash.current) ? hash.current : names[0]!, limited };
}

/** `placedOn`: the session's host by swarm.yaml (with `hosts:`); otherwise the one its bridge recorded. */
async function readSession(redis: Redis, ledger: Ledger, name: string, agent: string, daemonAlive: boolean, placedOn?: string): Promise<SessionInfo> {
  const hash = await redis.hgetall(ledger.keys.session(name));
  const state = (daemonAlive ? (hash.state ?? "starting") : "down") as SessionState;
  return {
    name,
    agent,
    state,
    currentTask: hash.currentTask || null,
    completed: Number(hash.completed ?? 0),
    failed: Number(hash.failed ?? 0),
    restarts: Number(hash.restarts ?? 0),
    startedAt: hash.startedAt || null,
    heartbeatAt: hash.heartbeatAt || null,
    host: placedOn ?? hash.host ?? "",
    ...(hash.agentState ? { agentState: hash.agentState as AgentState, needsInput: hash.needsInput || null } : {}),
    ...(hash.programVersion ? { programVersion: hash.programVersion } : {}),
    ...(hash.drift ? { drift: hash.drift } : {}),
  };
}

async function budgetStatus(spend: AgentSpend, agent: AgentConfig, budget: NonNullable<AgentConfig["budget"]>): Promise<BudgetStatus> {
  const state = await spend.read(agent.name, budget.per, Date.now());
  const limit = effectiveLimits(budget, state.raised);
  const paused = isReached(state.spend, limit) && (state.stopped || state.once === 0);
  const asking = paused && !state.stopped && state.item !== "" && state.item !== state.applied;
  return {
    per: budget.per,
    period: state.period.key,
    resetsAt: new Date(state.period.end).toISOString(),
    spent: state.spend,
    limit,
    paused,
    once: state.once,
    ...(asking && { item: state.item }),
  };
}

/** The bridge's record of an open breaker (bridge/admission/breakers.ts: JSON `{until, openMs, reason}`). */
function breakerStatus(json: string | undefined): BreakerStatus | null {
  if (!json) return null;
  try {
    const stored = JSON.parse(json) as { until?: unknown; reason?: unknown };
    if (typeof stored.until !== "string" || !Number.isFinite(Date.parse(stored.until))) return null;
    return {
      state: Date.parse(stored.until) > Date.now() ? "open" : "half-open",
      until: stored.until,
      reason: typeof stored.reason === "string" ? stored.reason : "",
    };
  } catch {
    return null;
  }
}
