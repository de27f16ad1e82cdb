import { describe, expect, it } from "vitest";
import type { ConfigError } from "../errors.js";
import { configFromObject } from "./load.js";

const base = { agents: [{ name: "a", runtime: "shell" }] };
const load = (redis: unknown) => configFromObject({ ...base, redis }, { file: "/x/swarm.yaml", baseDir: "/x" });
const problems = (redis: unknown): readonly string[] => {
  try {
    load(redis);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe("redis: in swarm.yaml", () => {
  it("is absent by default: REDIS_URL or the embedded Redis, and no acknowledgement", () => {
    expect(configFromObject(base, { file: "/x/swarm.yaml", baseDir: "/x" }).redis).toBeUndefined();
  });

  it("reads a Sentinel group: addresses (IPv6 in brackets), the group's name and the variables holding passwords", () => {
    const redis = load({
      sentinels: ["10.0.0.5:26379", "sentinel-b:26380", "[::1]:26381"],
      name: "mymaster",
      password_env: "REDIS_PW",
      sentinel_password_env: "SENTINEL_PW",
    }).redis!;
    expect(redis).toEqual({
      sentinel: {
        sentinels: [
          { host: "10.0.0.5", port: 26379 },
          { host: "sentinel-b", port: 26380 },
          { host: "::1", port: 26381 },
        ],
        name: "mymaster",
        passwordEnv: "REDIS_PW",
        sentinelPasswordEnv: "SENTINEL_PW",
        username: null,
        sentinelUsername: null,
      },
    });
  });

  it("reads ACL users for the data nodes and for the sentinels, each with the variable holding its password", () => {
    const redis = load({
      sentinels: ["h:1"],
      name: "g",
      username: "swarm",
      password_env: "REDIS_PW",
      sentinel_username: "watcher",
      sentinel_password_env: "SENTINEL_PW",
    }).redis!;
    expect(redis.sentinel).toMatchObject({ username: "swarm", passwordEnv: "REDIS_PW", sentinelUsername: "watcher", sentinelPasswordEnv: "SENTINEL_PW" });
  });

  it("refuses an ACL user without its password's variable, one with a space, and one without sentinels", () => {
    expect(problems({ sentinels: ["h:1"], name: "g", username: "swarm", sentinel_username: "watcher" })).toEqual([
      "swarm.yaml: redis.username: needs `password_env`, the variable holding that user's password",
      "swarm.yaml: redis.sentinel_username: needs `sentinel_password_env`, the variable holding that user's password",
    ]);
    expect(problems({ sentinels: ["h:1"], name: "g", username: "my user", password_env: "PW" })).toEqual([
      expect.stringContaining("redis.username: expected an ACL user name"),
    ]);
    expect(problems({ username: "swarm" })).toEqual([
      expect.stringContaining("redis.username: only used with `sentinels` (a single Redis takes its user in REDIS_URL"),
      "swarm.yaml: redis.username: needs `password_env`, the variable holding that user's password",
    ]);
  });

  it("reads acknowledge alone (a REDIS_URL primary with replicas) or with sentinels", () => {
    expect(load({ acknowledge: { replicas: 1, timeout_ms: 1000 } }).redis).toEqual({ acknowledge: { replicas: 1, timeoutMs: 1000 } });
    expect(load({ sentinels: ["h:1"], name: "g", acknowledge: { replicas: 2, timeout_ms: 500 } }).redis?.acknowledge).toEqual({ replicas: 2, timeoutMs: 500 });
  });

  it("names each sentinel entry that is not host:port, and a group without its name (and the reverse)", () => {
    expect(problems({ sentinels: ["10.0.0.5", "h:0", "h:65536", 26379, "h:1"], name: "g" })).toEqual([
      'swarm.yaml: redis.sentinels.0: expected host:port such as "10.0.0.5:26379", got "10.0.0.5"',
      'swarm.yaml: redis.sentinels.1: expected host:port such as "10.0.0.5:26379", got "h:0"',
      'swarm.yaml: redis.sentinels.2: expected host:port such as "10.0.0.5:26379", got "h:65536"',
      'swarm.yaml: redis.sentinels.3: expected host:port such as "10.0.0.5:26379", got 26379',
    ]);
    expect(problems({ sentinels: ["h:1"] })).toEqual([expect.stringMatching(/^swarm\.yaml: redis\.name: required with `sentinels`/)]);
    expect(problems({ name: "g" })).toEqual([expect.stringMatching(/^swarm\.yaml: redis\.sentinels: required with `name`/)]);
    expect(problems({ sentinels: [], name: "g" })).toEqual([expect.stringContaining("redis.sentinels: expected a list of sentinel addresses")]);
    expect(problems({ sentinels: ["h:1"], name: "my master" })).toEqual([expect.stringContaining("redis.name: expected a master group name")]);
  });

  it("refuses a password written in the file, saying where it goes instead", () => {
    expect(problems({ sentinels: ["h:1"], name: "g", password: "hunter2", sentinel_password: "x" })).toEqual([
      expect.stringMatching(/redis\.password: passwords are not written in swarm\.yaml .*`password_env: VARIABLE`/),
      expect.stringMatching(/redis\.sentinel_password: .*`sentinel_password_env: VARIABLE`/),
    ]);
    expect(problems({ url: "redis://h" })).toEqual([expect.stringContaining("redis.url: the URL of a single Redis is REDIS_URL")]);
    expect(problems({ password_env: "PW" })).toEqual([expect.stringContaining("redis.password_env: only used with `sentinels`")]);
  });

  it("bounds acknowledge: at least one replica, a timeout in milliseconds, nothing else", () => {
    expect(problems({ acknowledge: { replicas: 0, timeout_ms: 1000 } })).toEqual([
      expect.stringContaining("redis.acknowledge.replicas: expected a whole number"),
    ]);
    expect(problems({ acknowledge: { replicas: 1 } })).toEqual([
      expect.stringContaining("redis.acknowledge.timeout_ms: expected a whole number of milliseconds from 1 to 60000, got nothing"),
    ]);
    expect(problems({ acknowledge: { replicas: 1, timeout_ms: 1000, every: 2 } })).toEqual(["swarm.yaml: redis.acknowledge.every: unknown key"]);
    expect(problems({ acknowledge: true })).toEqual([expect.stringContaining("redis.acknowledge: expected a mapping with `replicas` and `timeout_ms`")]);
  });

  it("reads tls: true (Node's CAs, as a rediss:// REDIS_URL) or files resolved against swarm.yaml's folder", () => {
    expect(load({ sentinels: ["h:1"], name: "g", tls: true }).redis?.sentinel?.tls).toEqual({ ca: null, cert: null, key: null, servername: null });
    expect(
      load({ sentinels: ["h:1"], name: "g", tls: { ca: "tls/ca.pem", cert: "/etc/c.pem", key: "c.key", servername: "redis.internal" } }).redis?.sentinel?.tls,
    ).toEqual({
      ca: "/x/tls/ca.pem",
      cert: "/etc/c.pem",
      key: "/x/c.key",
      servername: "redis.internal",
    });
    // Off: absent, as in a swarm.yaml written before sentinels had TLS.
    expect(load({ sentinels: ["h:1"], name: "g", tls: false }).redis?.sentinel).not.toHaveProperty("tls");
  });

  it("names each mistake in tls: a single Redis (rediss:// instead), unknown keys, a certificate without its key, empty values", () => {
    expect(problems({ tls: true })).toEqual([
      expect.stringContaining("redis.tls: only used with `sentinels` (a single Redis is reached over TLS with a rediss:// REDIS_URL"),
    ]);
    expect(problems({ sentinels: ["h:1"], name: "g", tls: "yes" })).toEqual([
      expect.stringContaining("redis.tls: expected true, or a mapping with `ca`, `cert`, `key`"),
    ]);
    expect(problems({ sentinels: ["h:1"], name: "g", tls: { ca_file: "ca.pem", cert: "c.pem", verify: false } })).toEqual([
      "swarm.yaml: redis.tls.ca_file: unknown key; the file keys are `ca`, `cert` and `key` (as in api.tls)",
      "swarm.yaml: redis.tls.verify: unknown key",
      "swarm.yaml: redis.tls: `cert` and `key` go together (a client certificate and its private key)",
    ]);
    expect(problems({ sentinels: ["h:1"], name: "g", tls: { ca: "", servername: 5 } })).toEqual([
      expect.stringContaining("redis.tls.ca: expected a file path"),
      expect.stringContaining("redis.tls.servername: expected a host name"),
    ]);
  });
});
