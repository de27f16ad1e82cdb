import type { Redis } from "ioredis";
import {
  configStanding,
  EnvironmentError,
  hostLiveness,
  readHostRecords,
  readConfigVersion,
  type ConfigVersion,
  type HostRecord,
  type Keys,
} from "../core/index.js";
import type { Check } from "./doctor-checks.js";

/**
 * Above this, hosts disagree about ages: a host's heartbeat counts for 30 s and is
 * written every 5 s, a lease renews every 5 s, and every host compares those
 * timestamps with its own clock. Seconds of skew make a live host look silent or
 * a dead one alive, and task times out of order across hosts.
 */
export const MAX_CLOCK_SKEW_MS = 2_000;

/** One `TIME` round trip: this machine's clock when it was sent and answered, and Redis' answer in ms. */
export interface ClockSample {
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly redisMs: number;
}

/** Redis' clock minus ours at the moment Redis answered (taken as the middle of the round trip); positive: ours is behind. */
export function skewOf(sample: ClockSample): { skewMs: number; rttMs: number } {
  const rttMs = sample.receivedAt - sample.sentAt;
  return { skewMs: Math.round(sample.redisMs - (sample.sentAt + rttMs / 2)), rttMs };
}

export function clockCheck(sample: ClockSample, limitMs = MAX_CLOCK_SKEW_MS): Check {
  const { skewMs, rttMs } = skewOf(sample);
  const way = skewMs > 0 ? "behind" : "ahead of";
  const detail = `this machine's clock is ${Math.abs(skewMs)} ms ${way} Redis' (round trip ${rttMs} ms; the other hosts compare their clocks with it too)`;
  if (Math.abs(skewMs) <= limitMs) return { name: "clock skew", ok: true, detail };
  return {
    name: "clock skew",
    ok: false,
    detail: `${detail}: more than ${limitMs / 1000} s, so heartbeats and leases of this swarm's hosts are misread`,
    fix: "sync the clocks (chrony/systemd-timesyncd) on this machine and on Redis' machine",
  };
}

/** The shortest of a few `TIME` round trips: the one whose midpoint estimate is the tightest. */
export async function sampleClock(redis: Redis, tries = 3, now: () => number = Date.now): Promise<ClockSample> {
  let best: ClockSample | null = null;
  for (let i = 0; i < tries; i++) {
    const sentAt = now();
    const [seconds, micros] = await redis.time();
    const sample = { sentAt, receivedAt: now(), redisMs: Number(seconds) * 1000 + Number(micros) / 1000 };
    if (best === null || sample.receivedAt - sample.sentAt < best.receivedAt - best.sentAt) best = sample;
  }
  return best!;
}

/**
 * Every host whose daemon is up or went silent (a stopped host's record tells only
 * what it last ran) must run this claude-agent version: the hosts share queues, job
 * payloads, the ledger and its Lua scripts.
 */
export function versionCheck(records: readonly HostRecord[], own: string, now = Date.now()): Check {
  const running = records.filter((record) => hostLiveness(record, now) !== "stopped");
  if (running.length === 0) return { name: "host versions", ok: true, detail: "no host's daemon is up: nothing to compare" };
  const other = running.filter((record) => record.version !== own);
  if (other.length === 0) return { name: "host versions", ok: true, detail: `every host runs ${own} (${running.map((r) => r.host).join(", ")})` };
  return {
    name: "host versions",
    ok: false,
    detail: `hosts on another version than this one's (${own}): ${other.map((r) => `${r.host} ${r.version} (${hostLiveness(r, now)})`).join(", ")}`,
    fix: `install claude-agent ${own} on those hosts (or this version everywhere) and restart their daemons: \`claude-agent down\`, then \`claude-agent up --host NAME\``,
  };
}

/** What a session's record in Redis says of the program it runs (bridge/sessions/session-states.ts). */
export interface SessionProgram {
  readonly agent: string;
  readonly host: string;
  /** `<program> --version`'s line; empty for a shell or before the bridge asked. */
  readonly programVersion: string;
}

/**
 * An agent's sessions on hosts whose daemons are up should run one version of its program: a task goes to any
 * of them, and programs change their output, flags and conversation files between releases (our parsers are
 * tested against one release at a time). Sessions of a host not up tell only what it last ran.
 */
export function programCheck(sessions: readonly SessionProgram[], records: readonly HostRecord[], now = Date.now()): Check {
  const up = new Set(records.filter((record) => hostLiveness(record, now) === "up").map((record) => record.host));
  const byAgent = new Map<string, Map<string, Set<string>>>();
  for (const { agent, host, programVersion } of sessions) {
    if (!programVersion || !up.has(host)) continue;
    const hosts = byAgent.get(agent) ?? new Map<string, Set<string>>();
    byAgent.set(agent, hosts);
    const versions = hosts.get(host) ?? new Set<string>();
    hosts.set(host, versions);
    versions.add(programVersion);
  }
  const spanning = [...byAgent].filter(([, hosts]) => hosts.size > 1);
  const mixed = spanning.filter(([, hosts]) => new Set([...hosts.values()].flatMap((versions) => [...versions])).size > 1);
  if (mixed.length === 0) {
    const detail =
      spanning.length === 0
        ? "no agent program runs on more than one up host: nothing to compare"
        : `each agent runs one program version on every host (${spanning.map(([agent, hosts]) => `${agent}: ${[...hosts.keys()].sort().join(", ")}`).join("; ")})`;
    return { name: "program versions", ok: true, detail };
  }
  const listed = mixed.map(
    ([agent, hosts]) =>
      `${agent}: ${[...hosts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([host, versions]) => `${host} ${[...versions].sort().join(" + ")}`)
        .join(", ")}`,
  );
  return {
    name: "program versions",
    ok: false,
    detail: `agents whose program differs between hosts: ${listed.join("; ")}`,
    fix: "install one version of the program on every host that runs the agent (`claude-agent doctor` on each host names the program), then restart the agent's sessions there (`claude-agent restart SESSION` for each)",
  };
}

/** Every session's agent, host and program version, as the bridges published them. */
async function readSessionPrograms(redis: Redis, keys: Keys): Promise<SessionProgram[]> {
  const names = await redis.smembers(keys.sessions);
  if (names.length === 0) return [];
  const batch = redis.pipeline();
  for (const name of names) batch.hmget(keys.session(name), "agent", "host", "programVersion");
  const replies = (await batch.exec()) ?? [];
  return replies.flatMap(([error, fields]) => {
    const [agent, host, programVersion] = (error ? [] : (fields as (string | null)[])) as (string | null)[];
    return agent && host ? [{ agent, host, programVersion: programVersion ?? "" }] : [];
  });
}

/**
 * Every host whose daemon is up or went silent should run the swarm.yaml last recorded by an `up`: each host
 * reads its own copy, so an edit made on one machine reaches another only when that one restarts with it.
 */
export function configCheck(records: readonly HostRecord[], recorded: ConfigVersion | null, now = Date.now()): Check {
  const running = records.filter((record) => hostLiveness(record, now) !== "stopped");
  if (recorded === null || running.length === 0) return { name: "host configs", ok: true, detail: "no host's daemon is up: nothing to compare" };
  const differ = running.filter((record) => configStanding(record, recorded) === "differs");
  const last = `v${recorded.version} (${recorded.digest}, loaded by ${recorded.host} at ${recorded.at})`;
  if (differ.length === 0) return { name: "host configs", ok: true, detail: `the hosts up run the swarm.yaml last loaded, ${last}` };
  return {
    name: "host configs",
    ok: false,
    detail: `hosts on another swarm.yaml than the last loaded, ${last}: ${differ.map((r) => `${r.host} v${r.configVersion ?? "?"} (${r.configDigest})`).join(", ")}`,
    fix: "copy the same swarm.yaml to every host and restart the daemons that differ: `claude-agent down`, then `claude-agent up --host NAME`",
  };
}

/** The checks of a swarm spanning hosts (swarm.yaml with `hosts:`), over its Redis. */
export async function hostChecks(redis: Redis, keys: Keys, own: string): Promise<Check[]> {
  const clock = clockCheck(await sampleClock(redis));
  const records = await readHostRecords(redis, keys);
  return [
    clock,
    versionCheck(records, own),
    programCheck(await readSessionPrograms(redis, keys), records),
    configCheck(records, await readConfigVersion(redis, keys)),
  ];
}

/**
 * `up --host NAME` joins only hosts of its own claude-agent version: the hosts share the queues, the job
 * payloads and the ledger's Lua scripts, and a mix of versions is not something anyone tested. Only hosts
 * beating now count: a silent host's record stays after it died, and must not keep the others from starting
 * for good (`doctor` still names it).
 */
export async function refuseOtherVersions(redis: Redis, keys: Keys, self: string, own: string, now = Date.now()): Promise<void> {
  const others = (await readHostRecords(redis, keys)).filter((record) => record.host !== self && hostLiveness(record, now) === "up" && record.version !== own);
  if (others.length === 0) return;
  const list = others.map((r) => `${r.host} runs ${r.version}`).join(", ");
  throw new EnvironmentError(`host ${self} runs claude-agent ${own}, but ${list}: hosts of one swarm must run one version`, {
    hint: `Install claude-agent ${own} on those hosts (or theirs here), then restart: \`claude-agent down\` there and \`claude-agent up --host NAME\`.`,
    context: { host: self, version: own },
  });
}
