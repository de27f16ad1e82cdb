import { describe, expect, it } from "vitest";
import type { HostRecord } from "../core/index.js";
import { clockCheck, skewOf, versionCheck } from "./host-checks.js";

const NOW = Date.parse("2026-12-03T07:00:00Z");
const record = (host: string, version: string, extra: Partial<HostRecord> = {}): HostRecord => ({
  host,
  version,
  pid: 1,
  machine: host,
  home: `/home/${host}`,
  startedAt: new Date(NOW - 60_000).toISOString(),
  beatAt: new Date(NOW - 1_000).toISOString(),
  leaseMs: 30_000,
  sessions: [],
  ...extra,
});

describe("doctor's clock skew check", () => {
  it("takes Redis' answer as given at the middle of the round trip", () => {
    // Sent at 1000, answered at 1100: Redis said 1550 at our 1050, so our clock is 500 ms behind.
    expect(skewOf({ sentAt: 1000, receivedAt: 1100, redisMs: 1550 })).toEqual({ skewMs: 500, rttMs: 100 });
  });

  it("passes within 2 s either way and fails beyond, with the fix to sync the clocks", () => {
    expect(clockCheck({ sentAt: 0, receivedAt: 10, redisMs: 2_005 }).ok).toBe(true);
    expect(clockCheck({ sentAt: 0, receivedAt: 10, redisMs: -1_995 }).ok).toBe(true);
    const behind = clockCheck({ sentAt: 0, receivedAt: 10, redisMs: 2_506 });
    expect(behind).toMatchObject({ ok: false, fix: expect.stringContaining("sync the clocks (chrony/systemd-timesyncd)") });
    expect(behind.detail).toContain("2501 ms behind Redis'");
    expect(clockCheck({ sentAt: 0, receivedAt: 10, redisMs: -3_000 }).detail).toContain("3005 ms ahead of Redis'");
  });
});

describe("doctor's host version check", () => {
  it("fails listing each running host on another version, and ignores stopped hosts", () => {
    const check = versionCheck(
      [
        record("build-1", "1.4.0"),
        record("gpu-1", "1.3.2"),
        record("edge-1", "0.9.0", { beatAt: new Date(NOW - 120_000).toISOString() }),
        record("old-1", "0.1.0", { stoppedAt: new Date(NOW - 5_000).toISOString() }),
      ],
      "1.4.0",
      NOW,
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toBe("hosts on another version than this one's (1.4.0): gpu-1 1.3.2 (up), edge-1 0.9.0 (silent)");
  });

  it("passes when every running host runs this version", () => {
    expect(versionCheck([record("build-1", "1.4.0"), record("gpu-1", "1.4.0")], "1.4.0", NOW)).toMatchObject({
      ok: true,
      detail: "every host runs 1.4.0 (build-1, gpu-1)",
    });
  });
});
