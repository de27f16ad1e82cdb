import { describe, expect, it } from "vitest";
import type { HostRecord } from "../core/index.js";
import { clockCheck, configCheck, programCheck, skewOf, versionCheck } from "./host-checks.js";
import { configLine } from "./swarm-runtime.js";

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

describe("doctor's program version check", () => {
  const hosts = [record("build-1", "1.4.0"), record("gpu-1", "1.4.0"), record("edge-1", "1.4.0", { beatAt: new Date(NOW - 120_000).toISOString() })];
  const session = (agent: string, host: string, programVersion: string) => ({ agent, host, programVersion });

  it("fails naming each agent whose program differs between up hosts, with each host's versions", () => {
    const check = programCheck(
      [
        session("backend", "build-1", "2.0.31 (Claude Code)"),
        session("backend", "build-1", "2.0.31 (Claude Code)"),
        session("backend", "gpu-1", "2.0.30 (Claude Code)"),
        session("review", "build-1", "codex-cli 0.63.0"),
        session("review", "gpu-1", "codex-cli 0.63.0"),
      ],
      hosts,
      NOW,
    );
    expect(check).toMatchObject({ name: "program versions", ok: false, fix: expect.stringContaining("install one version of the program on every host") });
    expect(check.detail).toBe("agents whose program differs between hosts: backend: build-1 2.0.31 (Claude Code), gpu-1 2.0.30 (Claude Code)");
  });

  it("passes when each agent runs one version everywhere, and leaves out shells and hosts not up", () => {
    const check = programCheck(
      [
        session("backend", "build-1", "2.0.31 (Claude Code)"),
        session("backend", "gpu-1", "2.0.31 (Claude Code)"),
        session("backend", "edge-1", "1.0.0 (Claude Code)"), // a silent host: what it last ran
        session("ops", "build-1", ""), // a shell has no program version
        session("ops", "gpu-1", ""),
      ],
      hosts,
      NOW,
    );
    expect(check).toMatchObject({ ok: true, detail: "each agent runs one program version on every host (backend: build-1, gpu-1)" });
    expect(programCheck([session("ops", "build-1", "")], hosts, NOW).detail).toBe("no agent program runs on more than one up host: nothing to compare");
  });
});

describe("doctor's host config check", () => {
  const recorded = { digest: "bbbbbbbbbbbb", version: 3, host: "build-1", at: "2026-12-03T06:59:00.000Z" };

  it("fails naming each running host on another swarm.yaml than the last loaded, and ignores stopped hosts", () => {
    const check = configCheck(
      [
        record("build-1", "1.4.0", { configDigest: "bbbbbbbbbbbb", configVersion: 3 }),
        record("gpu-1", "1.4.0", { configDigest: "aaaaaaaaaaaa", configVersion: 2 }),
        record("old-1", "1.4.0", { configDigest: "999999999999", configVersion: 1, stoppedAt: new Date(NOW - 5_000).toISOString() }),
      ],
      recorded,
      NOW,
    );
    expect(check).toMatchObject({
      ok: false,
      detail: "hosts on another swarm.yaml than the last loaded, v3 (bbbbbbbbbbbb, loaded by build-1 at 2026-12-03T06:59:00.000Z): gpu-1 v2 (aaaaaaaaaaaa)",
    });
    expect(check.fix).toContain("claude-agent up --host NAME");
  });

  it("passes when the running hosts run the last loaded text, or when a daemon predates config versions", () => {
    const same = [record("build-1", "1.4.0", { configDigest: "bbbbbbbbbbbb", configVersion: 3 }), record("gpu-1", "1.4.0")];
    expect(configCheck(same, recorded, NOW).ok).toBe(true);
    expect(configCheck(same, null, NOW).ok).toBe(true);
  });
});

describe("what up --host says of the swarm.yaml it loaded", () => {
  const current = { digest: "bbbbbbbbbbbb", version: 3, host: "build-1", at: "2026-12-03T07:00:00.000Z" };
  const replaced = { digest: "aaaaaaaaaaaa", version: 2, host: "gpu-1", at: "2026-12-02T07:00:00.000Z" };

  it("gives the version alone when the text is the one recorded before", () => {
    expect(configLine({ current, replaced: null }, [], "build-1", NOW)).toBe("config: swarm.yaml v3 (bbbbbbbbbbbb)");
  });

  it("says the text changed and which running hosts keep the one before until restarted", () => {
    const records = [
      record("build-1", "1.4.0", { configDigest: "aaaaaaaaaaaa" }),
      record("gpu-1", "1.4.0", { configDigest: "aaaaaaaaaaaa" }),
      record("edge-1", "1.4.0", { configDigest: "aaaaaaaaaaaa", stoppedAt: new Date(NOW - 5_000).toISOString() }),
    ];
    expect(configLine({ current, replaced }, records, "build-1", NOW)).toBe(
      "config: swarm.yaml v3 (bbbbbbbbbbbb), changed since v2 (aaaaaaaaaaaa, loaded by gpu-1 at 2026-12-02T07:00:00.000Z); gpu-1 still runs another until restarted with this file",
    );
  });
});
