import type { Redis } from "ioredis";
import { hostLiveness, parseHostRecords, type HostRecord, type Keys } from "../core/index.js";
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

/** The checks of a swarm spanning hosts (swarm.yaml with `hosts:`), over its Redis. */
export async function hostChecks(redis: Redis, keys: Keys, own: string): Promise<Check[]> {
  const clock = clockCheck(await sampleClock(redis));
  return [clock, versionCheck(parseHostRecords(await redis.hgetall(keys.hosts)), own)];
}
