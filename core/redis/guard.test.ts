import { describe, expect, it } from "vitest";
import type { RedisExposure, SentinelProbe } from "./exposure.js";
import { enforceRedisSafety, redisRisks } from "./guard.js";

/** A Sentinel group's primary that refuses anonymous clients, off this machine, reached as `transport`. */
const group = (transport: "tcp" | "tls", passwordSet: boolean, probes: readonly SentinelProbe[]): RedisExposure => ({
  transport,
  where: '10.0.0.9:6379 (primary of sentinel group "g")',
  loopback: false,
  anonymous: "refused",
  anonymousReply: "-NOAUTH Authentication required.",
  socketMode: null,
  user: null,
  password: true,
  sentinels: { passwordSet, probes },
});
const refused: SentinelProbe = { where: "10.0.0.5:26379", anonymous: "refused", reply: "-NOAUTH Authentication required." };
const open: SentinelProbe = { where: "10.0.0.6:26379", anonymous: "open", reply: "*2" };

describe("the safety rules of a Sentinel group", () => {
  it("needs --unsafe-allow-redis-without-tls off this machine without redis.tls, and nothing with it", () => {
    expect(() => enforceRedisSafety(group("tcp", true, [refused]))).toThrow(/without TLS/);
    expect(() => enforceRedisSafety(group("tcp", true, [refused]))).toThrow(expect.objectContaining({ hint: expect.stringContaining("`redis.tls`") }));
    expect(enforceRedisSafety(group("tcp", true, [refused]), { allowWithoutTls: true })).toEqual([
      expect.stringContaining("WARNING (--unsafe-allow-redis-without-tls)"),
    ]);
    expect(enforceRedisSafety(group("tls", true, [refused]))).toEqual([]);
  });

  it("refuses a sentinel that does not ask for the password sentinel_password_env names, unless --unsafe-allow-redis-without-auth", () => {
    expect(() => enforceRedisSafety(group("tls", true, [refused, open]))).toThrow(
      'sentinel 10.0.0.6:26379 (got "*2") takes commands without a password, although swarm.yaml names redis.sentinel_password_env',
    );
    const silent: SentinelProbe = { where: "10.0.0.7:26379", anonymous: "unknown", reply: "" };
    expect(redisRisks(group("tls", true, [silent])).sentinelAuth).toContain(
      'sentinel 10.0.0.7:26379 (got "no answer") did not show that it requires the password',
    );
    expect(enforceRedisSafety(group("tls", true, [open]), { allowWithoutAuth: true })).toEqual([
      expect.stringContaining("WARNING (--unsafe-allow-redis-without-auth)"),
    ]);
  });

  it("only notes open sentinels when swarm.yaml names no password for them", () => {
    const risks = redisRisks(group("tls", false, [open, refused]));
    expect(risks.sentinelAuth).toBeNull();
    expect(risks.sentinelNotice).toContain("the sentinels 10.0.0.6:26379 take commands without a password");
    expect(enforceRedisSafety(group("tls", false, [open]))).toEqual([
      expect.stringMatching(/^NOTE: the sentinels 10\.0\.0\.6:26379 .*redis\.sentinel_password_env$/),
    ]);
  });
});
