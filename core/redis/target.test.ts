import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, EnvironmentError } from "../errors.js";
import { homePaths } from "../home.js";
import { configuredSentinelTarget, describeTarget, recordRedisTarget, redisTarget, redisTargetFile, usesEmbeddedRedis } from "./target.js";
import type { RedisConfig } from "../config/index.js";

const homes: string[] = [];
const home = () => {
  const dir = mkdtempSync(join(tmpdir(), "ca-target-"));
  homes.push(dir);
  return homePaths(dir);
};
afterEach(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const config: RedisConfig = {
  sentinel: {
    sentinels: [{ host: "10.0.0.5", port: 26379 }],
    name: "mymaster",
    passwordEnv: "REDIS_PW",
    sentinelPasswordEnv: null,
    username: null,
    sentinelUsername: null,
  },
};

describe("the Redis target of a home", () => {
  it("is the embedded server, or REDIS_URL, when `up` recorded no Sentinel group", () => {
    const paths = home();
    expect(redisTarget(paths, {})).toEqual({ kind: "embedded", socket: paths.redisSocket });
    expect(redisTarget(paths, { REDIS_URL: "redis://h:1" })).toEqual({ kind: "url", url: "redis://h:1" });
    expect(usesEmbeddedRedis(paths, {})).toBe(true);
  });

  it("is the Sentinel group `up` recorded, with the password read from the named variable, never stored", () => {
    const paths = home();
    recordRedisTarget(paths, config);
    expect(statSync(redisTargetFile(paths)).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(redisTarget(paths, { REDIS_PW: "s3cret" }))).toContain("s3cret");
    expect(redisTarget(paths, { REDIS_PW: "s3cret" })).toEqual({
      kind: "sentinel",
      sentinels: [{ host: "10.0.0.5", port: 26379 }],
      name: "mymaster",
      password: "s3cret",
    });
    expect(readFileSync(redisTargetFile(paths), "utf8")).not.toContain("s3cret");
    expect(usesEmbeddedRedis(paths, {})).toBe(false);
    expect(describeTarget(redisTarget(paths, { REDIS_PW: "s3cret" }))).toBe('sentinel group "mymaster" via 10.0.0.5:26379');
    // REDIS_URL still wins in a process that sets it; an `up` without sentinels removes the record.
    expect(redisTarget(paths, { REDIS_URL: "redis://h:1", REDIS_PW: "x" }).kind).toBe("url");
    recordRedisTarget(paths, undefined);
    expect(redisTarget(paths, {}).kind).toBe("embedded");
  });

  it("records ACL user names as they are (they are not secrets) and hands them to every process with the passwords", () => {
    const paths = home();
    const acl: RedisConfig = { sentinel: { ...config.sentinel!, username: "swarm", sentinelPasswordEnv: "SENTINEL_PW", sentinelUsername: "watcher" } };
    recordRedisTarget(paths, acl);
    expect(redisTarget(paths, { REDIS_PW: "pw", SENTINEL_PW: "spw" })).toEqual({
      kind: "sentinel",
      sentinels: [{ host: "10.0.0.5", port: 26379 }],
      name: "mymaster",
      username: "swarm",
      password: "pw",
      sentinelUsername: "watcher",
      sentinelPassword: "spw",
    });
    const stored = readFileSync(redisTargetFile(paths), "utf8");
    expect(JSON.parse(stored)).toMatchObject({ username: "swarm", sentinelUsername: "watcher", sentinelPasswordEnv: "SENTINEL_PW" });
    expect(stored).not.toContain("spw");
  });

  it("reads a record written before ACL users existed as the default users", () => {
    const paths = home();
    const { username: _, sentinelUsername: __, ...older } = config.sentinel!;
    writeFileSync(redisTargetFile(paths), JSON.stringify({ kind: "sentinel", ...older }));
    expect(redisTarget(paths, { REDIS_PW: "pw" })).toEqual({
      kind: "sentinel",
      sentinels: [{ host: "10.0.0.5", port: 26379 }],
      name: "mymaster",
      password: "pw",
    });
  });

  it("throws EnvironmentError naming the variable when the password's variable is not set", () => {
    const paths = home();
    recordRedisTarget(paths, config);
    expect(() => redisTarget(paths, {})).toThrow(EnvironmentError);
    expect(() => redisTarget(paths, {})).toThrow(/\$REDIS_PW, which is not set/);
    expect(() => configuredSentinelTarget(config, {})).toThrow(/\$REDIS_PW/);
    expect(configuredSentinelTarget({ acknowledge: { replicas: 1, timeoutMs: 10 } }, {})).toBeNull();
  });

  it("refuses a damaged record with a hint instead of falling back to another Redis", () => {
    const paths = home();
    writeFileSync(redisTargetFile(paths), '{"kind":"sentinel","sentinels":[]}');
    expect(() => redisTarget(paths, {})).toThrow(/does not name a Redis Sentinel group/);
  });

  it("records redis.tls by its file paths and reads the files in each process, refusing one it cannot read", () => {
    const paths = home();
    const ca = join(paths.root, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nfake\n");
    const tlsConfig: RedisConfig = { sentinel: { ...config.sentinel!, tls: { ca, cert: null, key: null, servername: "redis.internal" } } };
    recordRedisTarget(paths, tlsConfig);
    expect(readFileSync(redisTargetFile(paths), "utf8")).not.toContain("fake");
    const target = redisTarget(paths, { REDIS_PW: "pw" });
    expect(target).toMatchObject({ kind: "sentinel", tls: { ca: "-----BEGIN CERTIFICATE-----\nfake\n", servername: "redis.internal" } });
    expect(describeTarget(target)).toBe('sentinel group "mymaster" via 10.0.0.5:26379 (TLS)');
    rmSync(ca);
    // At `up` it is swarm.yaml's mistake (exit 2); in the home's other processes, their environment's (exit 4).
    expect(() => configuredSentinelTarget(tlsConfig, { REDIS_PW: "pw" })).toThrow(ConfigError);
    expect(() => configuredSentinelTarget(tlsConfig, { REDIS_PW: "pw" })).toThrow(`redis.tls.ca: cannot read ${ca} (ENOENT)`);
    expect(() => redisTarget(paths, { REDIS_PW: "pw" })).toThrow(EnvironmentError);
  });
});
