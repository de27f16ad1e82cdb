import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateRedis, type PrivateRedis } from "../../test/helpers/private-redis.js";
import { configDigest } from "../config/index.js";
import { keys } from "../keys.js";
import { configStanding, readConfigVersion, recordConfigVersion } from "./config-version.js";

describe("the version of swarm.yaml a swarm runs, in Redis", () => {
  let server: PrivateRedis;
  const k = keys("ca-config-version");
  beforeAll(async () => {
    server = await startPrivateRedis("config-version");
  });
  afterAll(() => server?.close());

  it("names a text by the digest of its bytes, whatever it says", () => {
    expect(configDigest("agents: []\n")).toMatch(/^[0-9a-f]{12}$/);
    expect(configDigest("agents: []\n")).toBe(configDigest("agents: []\n"));
    expect(configDigest("agents: []\n")).not.toBe(configDigest("agents: [] \n"));
  });

  it("numbers the texts 1, 2, … as they change, keeping the number while the same text is loaded again", async () => {
    const { redis } = server;
    expect(await readConfigVersion(redis, k)).toBeNull();
    const first = await recordConfigVersion(redis, k, "aaaaaaaaaaaa", "build-1", new Date("2026-12-01T00:00:00Z"));
    expect(first).toEqual({ current: { digest: "aaaaaaaaaaaa", version: 1, host: "build-1", at: "2026-12-01T00:00:00.000Z" }, replaced: null });
    const again = await recordConfigVersion(redis, k, "aaaaaaaaaaaa", "gpu-1");
    expect(again).toEqual({ current: first.current, replaced: null });
    const changed = await recordConfigVersion(redis, k, "bbbbbbbbbbbb", "gpu-1", new Date("2026-12-02T00:00:00Z"));
    expect(changed).toEqual({
      current: { digest: "bbbbbbbbbbbb", version: 2, host: "gpu-1", at: "2026-12-02T00:00:00.000Z" },
      replaced: first.current,
    });
    expect(await readConfigVersion(redis, k)).toEqual(changed.current);
  });

  it("numbers texts recorded by several hosts at once without a gap or a repeat", async () => {
    const { redis } = server;
    const other = keys("ca-config-version-race");
    const digests = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(12));
    const recorded = await Promise.all(digests.map((digest, i) => recordConfigVersion(redis, other, digest, `host-${i}`)));
    expect(recorded.map((r) => r.current.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("tells a host on the recorded text from one on another, and says unknown when there is nothing to compare", () => {
    const recorded = { digest: "bbbbbbbbbbbb", version: 2, host: "gpu-1", at: "x" };
    expect(configStanding({ configDigest: "bbbbbbbbbbbb" }, recorded)).toBe("current");
    expect(configStanding({ configDigest: "aaaaaaaaaaaa" }, recorded)).toBe("differs");
    expect(configStanding({}, recorded)).toBe("unknown");
    expect(configStanding({ configDigest: "aaaaaaaaaaaa" }, null)).toBe("unknown");
  });
});
