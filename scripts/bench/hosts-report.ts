/** The many-hosts part of BENCHMARKS.md: a details section only (issue 16 sets no numeric target for these figures). */
import { DEFAULT_LOCK, type HostBurst, type HostDeath, type HostsFigures } from "./hosts.js";
import { ms, type Summary } from "./stats.js";

const seconds = (value: number): string => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : "n/a");
const rateOf = (burst: HostBurst): number => burst.tasks / burst.seconds;
const hostsWord = (n: number): string => `${n} host${n === 1 ? "" : "s"}`;

/** The burst's CPU per task beside the one-host burst's: what distribution costs on one machine. */
function overhead(burst: HostBurst, one: HostBurst | undefined): string {
  if (!one || one === burst) return "—";
  const extra = burst.cpuMs.total - one.cpuMs.total;
  return `${extra >= 0 ? "+" : "−"}${ms(Math.abs(extra))} (${((burst.cpuMs.total / one.cpuMs.total - 1) * 100).toFixed(0)} %)`;
}

const isDefault = (d: Pick<HostDeath, "lockDurationMs" | "stalledIntervalMs">): boolean =>
  d.lockDurationMs === DEFAULT_LOCK.lockDurationMs && d.stalledIntervalMs === DEFAULT_LOCK.stalledIntervalMs;
const spread = (s: Summary): string => `${seconds(s.p50)} / ${seconds(s.max)}`;

/** The details section: how each figure was measured, and the figures. */
export function hostsDetails(hosts: HostsFigures): string[] {
  const one = hosts.burst.find((b) => b.hosts === 1);
  const rounds = hosts.burst[0]?.roundRates.length ?? 0;
  const perRound = rounds > 0 ? (hosts.burst[0]?.tasks ?? 0) / rounds : 0;
  const replicas = hosts.burst[0]?.replicas.reduce((a, b) => a + b, 0) ?? 0;
  return [
    "### Many hosts",
    "",
    `Simulated hosts of one swarm on this machine (scripts/bench/hosts.ts): each host a home of its own, started with \`up --host NAME\` (its own daemon and tmux server), all on one redis-server on loopback that demands a password (AOF every second, as the embedded one), as the multi-host tests start them. The hosts share this machine's cores, so more hosts cannot go faster here: the figures show what distribution costs, not what it gains on machines of their own. Load average (1 min) ${hosts.load.start.toFixed(2)} when this part started, ${hosts.load.end.toFixed(2)} when it ended.`,
    "",
    `**Bursts.** ${rounds} rounds; in each, ${perRound.toLocaleString("en-US")} \`true\` tasks submitted at once through the SDK (this process, connected through the first host's home) to one shell agent of ${replicas} replicas spread over the hosts (round-robin placement), on each of three swarms in turn: one host, two, three. The three swarms are up together, each round in another order, so that a load that drifts during the part weighs on all alike (the idle swarms cost little beside a burst: heartbeats, lease renewals, workers blocked on Redis); a warm-up burst on each first. Each host's worker takes as many jobs at a time as it has replicas. Tasks/s is every round's tasks over their seconds (each round's rate in brackets). CPU per task is utime + stime from /proc over the bursts, with the children each process reaped (the panes' \`true\`): each host's daemon, its children (the tmux control client), its tmux server and its panes; the shared redis-server; and this client.`,
    "",
    "| Hosts | Replicas per host | Tasks/s | CPU per task, all processes | Beside one host | Per host (daemon + tmux + panes) | redis-server | Client |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...hosts.burst.map(
      (b) =>
        `| ${b.hosts} | ${b.replicas.join(" + ")} | ${rateOf(b).toFixed(0)} (${b.roundRates.map((r) => r.toFixed(0)).join(", ")}) | ${ms(b.cpuMs.total)} | ${overhead(b, one)} | ${b.cpuMs.perHost.map(ms).join(" + ")} | ${ms(b.cpuMs.redis)} | ${ms(b.cpuMs.client)} |`,
    ),
    "",
    `**A host's death.** Two hosts, ${replicas} replicas (half on each), as many tasks each waiting for a file of its own: each host runs half of them. The tasks of one host are let go and end, so that the other host has a free session for each task of the host then killed whole (\`kill -9\` of its daemon, its tmux server and every pane's processes). Measured from the kill to each of its tasks running again on the other host (the task's record \`running\`, attempt 2, a session of the other host; polled every 20 ms). Each job's lock must expire (the dead worker no longer renews it; BullMQ renews it every half lock, so it expires between half a lock and a lock after the kill), then the other host's next stalled check (every stalled interval, counted from the end of the check before) moves the job back to its queue, and that host's worker takes it and dispatches it on one of its sessions: from half the lock to about the lock plus one stalled interval, plus the dispatch. Each job has a lock of its own, taken when its task started, so the tasks of one host may come back at different checks.`,
    "",
    "| Job lock / stalled check | Tasks | Ran again after, p50 / max |",
    "| --- | --- | --- |",
    ...hosts.death.map(
      (d) =>
        `| ${seconds(d.lockDurationMs)} / every ${seconds(d.stalledIntervalMs)}${isDefault(d) ? " (the defaults)" : " (shortened through `CLAUDE_AGENT_TUNING`, as the fault tests do)"} | ${d.tasks} | ${spread(d.ranAgain)} |`,
    ),
    ...(hosts.death.some(isDefault)
      ? []
      : [
          "",
          "The default lock (10 s, stalled check every 5 s) was not measured in this run (quick mode): expect 5-15 s (half the lock to the lock plus one stalled check).",
        ]),
    "",
    `**Leader failover.** ${hostsWord(hosts.failoverHosts)} (the bursts' swarm of three hosts, idle, the other two swarms stopped); \`kill -9\` of the leader's daemon (its tmux server lives on), ${hosts.failover.n} times, the killed daemon started again (a follower) after each. Measured from the kill to the \`since\` of the next term (\`readLeader\`: the lease's record, dated by Redis' clock, this machine's): the lease (3 s) must expire, counted from the last renewal (at most 1 s before the kill), then a follower's next try (every 250 ms) takes it.`,
    "",
    "| Failovers | min | p50 | max |",
    "| --- | --- | --- | --- |",
    `| ${hosts.failover.n} | ${seconds(hosts.failover.min)} | ${seconds(hosts.failover.p50)} | ${seconds(hosts.failover.max)} |`,
    "",
  ];
}

/** BENCH_ONLY=hosts: the figures, as text. */
export function hostsSummary(hosts: HostsFigures): string {
  return hostsDetails(hosts).slice(2).join("\n");
}
