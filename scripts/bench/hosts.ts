/**
 * Many hosts on this machine (issue 16): simulated hosts of one swarm, each a
 * home of its own started with `up --host NAME` (its own daemon and tmux
 * server), all sharing one redis-server on loopback that demands a password
 * (hosts-swarm.ts starts them). Three figures:
 *
 * - bursts of `true` on 1, 2 and 3 hosts with the same replicas in all
 *   (6 on one host, 3 + 3, 2 + 2 + 2), three swarms up together, their bursts
 *   in turns: tasks/s, and CPU per task of every process, per host and in
 *   all, from /proc;
 * - a host killed whole (kill -9 of its daemon, its tmux server and every
 *   pane's processes) while tasks run on it: the time until each of its tasks
 *   runs again on the other host (attempt 2), with the job lock shortened
 *   through CLAUDE_AGENT_TUNING and with the default lock;
 * - `kill -9` of the leader's daemon: the time until another host holds the
 *   leader lease (its term's `since`, by Redis' clock, which is this machine's).
 *
 * On one machine the hosts share its cores, so more hosts cannot be faster
 * here: the bursts show what distribution costs, not what it gains.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readLeader } from "../../core/index.js";
import type { Cleanups } from "./cleanup.js";
import { cpuMs } from "./procfs.js";
import { summarize, type Summary } from "./stats.js";
import { AGENT, poll, REPLICAS, startHosts, startSharedRedis, type Hosts, type SharedRedis } from "./hosts-swarm.js";

const RESULT_TIMEOUT_MS = 120_000;
/** The fault tests' shortened lock: a dead worker's job lock expires after 3 s, the stalled check looks every second. */
export const SHORT_LOCK = { lockDurationMs: 3000, stalledIntervalMs: 1000 };
/** bridge/tuning.ts's defaults. */
export const DEFAULT_LOCK = { lockDurationMs: 10_000, stalledIntervalMs: 5_000 };

export interface HostBurst {
  hosts: number;
  /** Replicas on each host. */
  replicas: number[];
  /** Over every round. */
  tasks: number;
  seconds: number;
  /** Tasks/s of each round's burst. */
  roundRates: number[];
  /** CPU ms per task: every process (hosts, redis-server, this client), then each host's (daemon and its children, tmux server, panes). */
  cpuMs: { total: number; redis: number; client: number; perHost: number[] };
}

export interface HostDeath {
  /** The lock and stalled interval the hosts ran with. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Tasks that were running on the killed host. */
  tasks: number;
  /** ms from the kill to each task running again (attempt 2) on the other host. */
  ranAgain: Summary;
}

export interface HostsFigures {
  burst: HostBurst[];
  death: HostDeath[];
  /** ms from `kill -9` of the leader's daemon to another host's term (three hosts). */
  failover: Summary;
  failoverHosts: number;
  /** 1-minute load average when the part started and when it ended: the hosts share this machine with whatever else runs. */
  load: { start: number; end: number };
}

export function hostsPlan(quick: boolean) {
  return quick
    ? { tasks: 300, rounds: 2, warmup: 30, deaths: [SHORT_LOCK], failovers: 3 }
    : { tasks: 1000, rounds: 3, warmup: 60, deaths: [SHORT_LOCK, DEFAULT_LOCK], failovers: 5 };
}

type Say = (line: string) => void;

export async function measureHostsFigures(quick: boolean, cleanups: Cleanups, say: Say): Promise<HostsFigures> {
  const plan = hostsPlan(quick);
  const loadStart = loadavg()[0]!;
  const redis = await startSharedRedis(cleanups);
  const before = process.env.REDIS_URL;
  // The SDK client of this process reaches the shared Redis as every host does.
  process.env.REDIS_URL = redis.url;
  say(`many hosts: simulated hosts (a home each, \`up --host\`), one redis-server on 127.0.0.1:${redis.port} with a password`);
  try {
    // The three swarms are up together and their bursts alternate, round after round, each round in another
    // order, so that a load that drifts during the part (a shared machine) weighs on all three alike.
    const swarms: Hosts[] = [];
    let burst: HostBurst[];
    let failover: number[];
    try {
      for (const count of [1, 2, 3]) swarms.push(await startHosts(redis, count, {}, cleanups));
      burst = await measureBursts(swarms, redis, plan, say);
      await swarms[0]!.stop();
      await swarms[1]!.stop();
      failover = await measureFailovers(swarms[2]!, plan.failovers, say);
    } finally {
      for (const swarm of swarms) await swarm.stop();
    }
    const death: HostDeath[] = [];
    for (const lock of plan.deaths) {
      const swarm = await startHosts(redis, 2, { CLAUDE_AGENT_TUNING: JSON.stringify(lock) }, cleanups);
      try {
        death.push(await measureDeath(swarm, lock, say));
      } finally {
        await swarm.stop();
      }
    }
    return { burst, death, failover: summarize(failover), failoverHosts: 3, load: { start: loadStart, end: loadavg()[0]! } };
  } finally {
    if (before === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = before;
    await redis.stop();
  }
}

// ---------------------------------------------------------------- the parts

async function measureBursts(swarms: readonly Hosts[], redis: SharedRedis, plan: ReturnType<typeof hostsPlan>, say: Say): Promise<HostBurst[]> {
  const bursts: HostBurst[] = swarms.map((swarm) => ({
    hosts: swarm.hosts.length,
    replicas: swarm.hosts.map((host) => host.replicas),
    tasks: 0,
    seconds: 0,
    roundRates: [],
    cpuMs: { total: 0, redis: 0, client: 0, perHost: swarm.hosts.map(() => 0) },
  }));
  const runners = await Promise.all(swarms.map((swarm) => burstRunner(swarm)));
  for (const run of runners) await run(plan.warmup);
  // After the warm-up every pane's shell is up: the pids stay the same through the bursts.
  const groups = swarms.map((swarm) => swarm.hosts.map((host) => host.pids()));
  for (let round = 0; round < plan.rounds; round++) {
    for (let k = 0; k < swarms.length; k++) {
      const i = (k + round) % swarms.length;
      const b = bursts[i]!;
      const cpu0 = { redis: cpuMs([redis.pid]), client: cpuMs([process.pid]), hosts: groups[i]!.map((pids) => cpuMs(pids)) };
      const seconds = await runners[i]!(plan.tasks);
      b.tasks += plan.tasks;
      b.seconds += seconds;
      b.roundRates.push(plan.tasks / seconds);
      b.cpuMs.redis += cpuMs([redis.pid]) - cpu0.redis;
      b.cpuMs.client += cpuMs([process.pid]) - cpu0.client;
      groups[i]!.forEach((pids, h) => {
        b.cpuMs.perHost[h]! += cpuMs(pids) - cpu0.hosts[h]!;
      });
      say(
        `  round ${round + 1}, ${b.hosts} host${b.hosts > 1 ? "s" : ""} (${b.replicas.join(" + ")} replicas): ${plan.tasks} \`true\` in ${seconds.toFixed(2)} s → ${(plan.tasks / seconds).toFixed(0)} tasks/s`,
      );
    }
  }
  for (const b of bursts) {
    // Summed over the rounds above; per task from here on.
    b.cpuMs.redis /= b.tasks;
    b.cpuMs.client /= b.tasks;
    b.cpuMs.perHost = b.cpuMs.perHost.map((v) => v / b.tasks);
    b.cpuMs.total = b.cpuMs.redis + b.cpuMs.client + b.cpuMs.perHost.reduce((x, y) => x + y, 0);
    say(
      `  ${b.hosts} host${b.hosts > 1 ? "s" : ""}: ${b.tasks} tasks in ${b.seconds.toFixed(2)} s → ${(b.tasks / b.seconds).toFixed(0)} tasks/s; ` +
        `CPU per task ${b.cpuMs.total.toFixed(2)} ms (hosts ${b.cpuMs.perHost.map((v) => v.toFixed(2)).join(" + ")}, redis ${b.cpuMs.redis.toFixed(2)}, client ${b.cpuMs.client.toFixed(2)})`,
    );
  }
  return bursts;
}

/** Runs `n` tasks of `true` at once on a swarm; resolves with the seconds from the first submit to the last result. */
async function burstRunner(swarm: Hosts): Promise<(n: number) => Promise<number>> {
  const client = await swarm.client();
  const runOne = async (): Promise<void> => {
    const handle = await client.submit({ task: "true", agent: AGENT });
    const result = await handle.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
    if (result.status !== "completed") throw new Error(`task ${handle.id} ended ${result.status}${result.reason ? `: ${result.reason}` : ""}`);
  };
  return async (n) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, runOne));
    return (performance.now() - t0) / 1000;
  };
}

/**
 * As many tasks as replicas, each waiting for a file of its own, so that each host runs as many as it has replicas.
 * The other host's tasks are let go and end first, so it has a free session for each task of the host killed.
 */
async function measureDeath(swarm: Hosts, lock: typeof SHORT_LOCK, say: Say): Promise<HostDeath> {
  const client = await swarm.client();
  const dir = mkdtempSync(join(tmpdir(), "cab-death-"));
  try {
    const handles = await Promise.all(
      Array.from({ length: REPLICAS }, (_, i) => client.submit({ agent: AGENT, task: `while [ ! -e ${join(dir, `go-${i}`)} ]; do sleep 0.1; done` })),
    );
    const running = await poll("every task to run", 60_000, async () => {
      const records = await Promise.all(handles.map((h) => swarm.record(h.id)));
      return records.every((r) => r.status === "running" && r.session) ? records : null;
    });
    const hostOf = (session: string): number => swarm.hostIndexOf(session);
    const victim = hostOf(running[0]!.session!);
    const onVictim = handles.map((h, i) => ({ h, i, session: running[i]!.session! })).filter((t) => hostOf(t.session) === victim);
    const others = handles.map((h, i) => ({ h, i })).filter(({ i }) => hostOf(running[i]!.session!) !== victim);
    for (const { i } of others) writeFileSync(join(dir, `go-${i}`), "");
    await Promise.all(others.map(({ h }) => h.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) })));
    const killedAt = performance.now();
    await swarm.hosts[victim]!.killWhole();
    const ranAgain = await Promise.all(
      onVictim.map(({ h }) =>
        poll(`task ${h.id} to run again on another host`, 120_000, async () => {
          const r = await swarm.record(h.id);
          return r.status === "running" && r.attempts === "2" && r.session && hostOf(r.session) !== victim ? performance.now() - killedAt : null;
        }),
      ),
    );
    for (const { i } of onVictim) writeFileSync(join(dir, `go-${i}`), "");
    const results = await Promise.all(onVictim.map(({ h }) => h.result({ signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) })));
    const wrong = results.find((r) => r.status !== "completed" || r.attempts !== 2);
    if (wrong) throw new Error(`a task of the killed host ended ${wrong.status} after ${wrong.attempts} attempts`);
    const figures: HostDeath = { ...lock, tasks: onVictim.length, ranAgain: summarize(ranAgain) };
    say(
      `  host death (lock ${lock.lockDurationMs / 1000} s, stalled check every ${lock.stalledIntervalMs / 1000} s): ${onVictim.length} tasks ran again on the other host ` +
        `${ranAgain.map((v) => `${(v / 1000).toFixed(2)} s`).join(", ")} after the kill`,
    );
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kills the leader's daemon, waits for another host's term, starts the killed daemon again (a follower now); `rounds` times. */
async function measureFailovers(swarm: Hosts, rounds: number, say: Say): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const lease = await poll("a leader", 30_000, () => readLeader(swarm.redis, swarm.keys));
    const leader = swarm.hosts.find((host) => host.name === lease.host);
    if (!leader) throw new Error(`the leader ${lease.host} is no host of the bench`);
    // `since` is Redis' clock, Date.now() this machine's: the same clock here.
    const killedAt = Date.now();
    await leader.killDaemon();
    const next = await poll("another host to lead", 60_000, async () => {
      const now = await readLeader(swarm.redis, swarm.keys);
      return now && now.token !== lease.token ? now : null;
    });
    samples.push(next.since - killedAt);
    say(`  leader failover ${round + 1}: kill -9 of ${lease.host}'s daemon → ${next.host} leading after ${((next.since - killedAt) / 1000).toFixed(2)} s`);
    await leader.start();
  }
  return samples;
}
