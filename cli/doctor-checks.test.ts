import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureHome, type HomePaths } from "../core/home.js";
import { startEmbeddedRedis, stopEmbeddedRedis } from "../core/redis/index.js";
import { runDoctorChecks, type Check } from "./doctor-checks.js";

const tempDirs: string[] = [];
const started: HomePaths[] = [];
const env = { ...process.env, REDIS_URL: undefined };

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cd-"));
  tempDirs.push(dir);
  return dir;
}

function find(checks: Check[], name: string): Check {
  const check = checks.find((c) => c.name === name);
  if (!check) throw new Error(`no check named ${name}: ${JSON.stringify(checks)}`);
  return check;
}

afterAll(async () => {
  for (const paths of started) await stopEmbeddedRedis(paths).catch(() => undefined);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("runDoctorChecks", () => {
  it("passes node, tmux and redis-server here and gives every failing check a fix", async () => {
    const checks = await runDoctorChecks({ home: join(tempDir(), "home"), env });
    for (const check of checks) {
      expect(check).toEqual(expect.objectContaining({ name: expect.any(String), ok: expect.any(Boolean), detail: expect.any(String) }));
      if (!check.ok) expect(check.fix).toEqual(expect.any(String));
    }
    expect(find(checks, "node").ok).toBe(true);
    expect(find(checks, "tmux")).toMatchObject({ ok: true, detail: expect.stringMatching(/^tmux \d+\.\d+/) });
    expect(find(checks, "redis-server")).toMatchObject({ ok: true, detail: expect.stringMatching(/^v\d+\./) });
  });

  it("accepts a home that does not exist yet and an embedded Redis that is not running", async () => {
    const checks = await runDoctorChecks({ home: join(tempDir(), "home"), env });
    expect(find(checks, "home")).toMatchObject({ ok: true, detail: expect.stringContaining("will be created by `claude-agent up`") });
    expect(find(checks, "redis")).toMatchObject({ ok: true, detail: "not running; `claude-agent up` starts it" });
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  it("reports a home with mode 0755 with a chmod 700 fix", async () => {
    const home = join(tempDir(), "home");
    mkdirSync(home);
    chmodSync(home, 0o755);
    const check = find(await runDoctorChecks({ home, env }), "home");
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining("0755"), fix: `chmod 700 ${home}` });
  });

  it("reports a running embedded Redis as reachable with the noeviction policy", async () => {
    const paths = ensureHome(tempDir());
    started.push(paths);
    await startEmbeddedRedis(paths);
    const checks = await runDoctorChecks({ home: paths.root, env });
    expect(find(checks, "home").ok).toBe(true);
    expect(find(checks, "redis")).toMatchObject({ ok: true, detail: `answers at ${paths.redisSocket}` });
    expect(find(checks, "redis eviction policy")).toMatchObject({ ok: true, detail: "noeviction" });
  });

  it("fails the redis check with a fix when REDIS_URL points at nothing, and skips redis-server", async () => {
    const checks = await runDoctorChecks({ home: join(tempDir(), "home"), env: { ...env, REDIS_URL: "redis://127.0.0.1:1" } });
    expect(find(checks, "redis-server")).toMatchObject({ ok: true, detail: "not needed: REDIS_URL is set" });
    const redis = find(checks, "redis");
    expect(redis.ok).toBe(false);
    expect(redis.fix).toContain("redis-cli -u redis://127.0.0.1:1");
  });
});
