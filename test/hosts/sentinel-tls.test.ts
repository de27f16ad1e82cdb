/**
 * Issue 16, item 6: a swarm on a Redis Sentinel group reached over TLS only. Real processes: a primary, two
 * replicas and three sentinels that listen on `tls-port` alone (`port 0`), replicate and monitor over TLS and
 * demand a client certificate, with a throwaway CA made by openssl; the sentinels have a password of their own.
 * swarm.yaml names them with `redis: { sentinels, name, tls: { ca, cert, key }, sentinel_password_env }`. A
 * client that reached either the sentinels or the primary in plain TCP would get no answer at all, so a task
 * that runs proves TLS both ways. Then the primary is SIGKILLed and the swarm must take a task again after the
 * failover (two replicas: with `acknowledge: { replicas: 1 }` the promoted one needs a replica of its own).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { makeTlsFiles, type TlsFiles } from "../security/redis-support.js";
import { pause, startSentinelGroup, type SentinelGroup } from "./sentinel-support.js";

const PASSWORD_VARIABLE = "CA_TEST_SENTINEL_TLS_REDIS_PW";
const SENTINEL_PASSWORD_VARIABLE = "CA_TEST_SENTINEL_TLS_SENTINEL_PW";
const PASSWORD = "sentinel-tls-test-pw";
const SENTINEL_PASSWORD = "sentinel-tls-sentinels-pw";
/** How long the submit after the kill is retried before the test says the swarm did not come back. */
const RETRY_FOR_MS = 60_000;

describe("a swarm on a Redis Sentinel group reached over TLS only", { timeout: 300_000 }, () => {
  let tls: TlsFiles;
  let group: SentinelGroup;
  let swarm: TestSwarm;
  let client: Swarm;
  const scratch = tempHome();

  /** swarm.yaml's redis: for `sentinels` of `name`; the TLS files are relative to swarm.yaml's folder when `relative`. */
  const redisYaml = (sentinels: readonly string[], name: string, tlsLines: string): string => `redis:
  sentinels: [${sentinels.map((address) => JSON.stringify(address)).join(", ")}]
  name: ${name}
  password_env: ${PASSWORD_VARIABLE}
  sentinel_password_env: ${SENTINEL_PASSWORD_VARIABLE}
${tlsLines}`;

  beforeAll(async () => {
    // The daemon, the SDK client of this test and `down` read them.
    process.env[PASSWORD_VARIABLE] = PASSWORD;
    process.env[SENTINEL_PASSWORD_VARIABLE] = SENTINEL_PASSWORD;
    tls = makeTlsFiles();
    group = await startSentinelGroup({ password: PASSWORD, replicas: 2, tls, sentinelPassword: SENTINEL_PASSWORD });
    const home = tempHome();
    // The CA and the client certificate next to swarm.yaml, named relative to it: the record `up` writes must
    // hold absolute paths for the home's other commands, which run from other folders.
    for (const [from, to] of [
      [tls.ca, "ca.pem"],
      [tls.cert, "client.pem"],
      [tls.key, "client.key"],
    ] as const) {
      writeFileSync(join(home, to), readFileSync(from), { mode: 0o600 });
    }
    const yaml = `swarm: sentinel-tls-${process.pid}
${redisYaml(group.sentinels, group.name, "  tls: { ca: ca.pem, cert: client.pem, key: client.key }\n")}  acknowledge: { replicas: 1, timeout_ms: 1000 }
agents:
  - { name: worker, runtime: shell, replicas: 1, timeout: 60 }
default_agent: worker
`;
    swarm = await startTestSwarm(yaml, { home });
    client = await swarm.connect();
  }, 120_000);

  afterAll(async () => {
    await swarm?.destroy();
    await group?.stop();
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    delete process.env[PASSWORD_VARIABLE];
    delete process.env[SENTINEL_PASSWORD_VARIABLE];
  });

  it("runs a task through the sentinels' primary over TLS, confirmed by a replica", async () => {
    const submitted = await client.submit({ task: "echo over-tls-sentinel" });
    expect(submitted.replicas).toBeGreaterThanOrEqual(1);
    const result = await submitted.result();
    expect(result).toMatchObject({ status: "completed" });
    expect(result.output).toContain("over-tls-sentinel");
  });

  it("lets the home's other commands reach it over TLS from another folder, and doctor says TLS and that the sentinels ask for their password", () => {
    const status = runCli(["status", "--json"], { home: swarm.home, cwd: scratch });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ daemon: { alive: true } });
    const { checks } = JSON.parse(runCli(["doctor", "--json"], { home: swarm.home, cwd: scratch }).stdout) as {
      checks: { name: string; ok: boolean; detail: string }[];
    };
    const check = (name: string) => checks.find((candidate) => candidate.name === name);
    expect(check("redis")).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`sentinel group "${group.name}" via ${group.sentinels.join(",")} (TLS)`),
    });
    expect(check("redis transport")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^TLS \(redis\.tls\) at 127\.0\.0\.1:\d+ \(primary of sentinel group/),
    });
    expect(check("redis auth")).toMatchObject({ ok: true, detail: expect.stringContaining("-NOAUTH") });
    expect(check("redis sentinel auth")).toMatchObject({
      ok: true,
      detail: expect.stringContaining("every sentinel refuses clients without the password (-NOAUTH"),
    });
  });

  it("refuses at up (exit 2, naming the key) a TLS file that cannot be read", () => {
    const other = join(scratch, "unreadable");
    mkdirSync(other);
    writeFileSync(join(other, ".claude-agent-home"), "");
    const config = join(other, "swarm.yaml");
    writeFileSync(
      config,
      `${redisYaml(group.sentinels, group.name, "  tls: { ca: missing-ca.pem }\n")}agents:\n  - { name: worker, runtime: shell }\napi: false\n`,
    );
    const up = runCli(["up", "--config", config], { home: other, cwd: other });
    expect(up.exitCode, up.stderr).toBe(2);
    expect(up.stderr).toContain(`redis.tls.ca: cannot read ${join(other, "missing-ca.pem")} (ENOENT)`);
  });

  it("refuses at up (exit 4) a sentinel that takes commands without the password sentinel_password_env names, and says which", async () => {
    const open = await group.extraSentinel(null);
    const other = join(scratch, "open-sentinel");
    mkdirSync(other);
    writeFileSync(join(other, ".claude-agent-home"), "");
    const config = join(other, "swarm.yaml");
    const tlsLine = `  tls: { ca: ${JSON.stringify(tls.ca)}, cert: ${JSON.stringify(tls.cert)}, key: ${JSON.stringify(tls.key)} }\n`;
    writeFileSync(
      config,
      `swarm: open-sentinel-${process.pid}\n${redisYaml([open], `${group.name}-extra`, tlsLine)}agents:\n  - { name: worker, runtime: shell }\napi: false\n`,
    );
    // The sentinel needs no password, but ioredis sends AUTH anyway: wait until it answers the group's primary.
    let up = runCli(["up", "--config", config], { home: other, cwd: other });
    for (let i = 0; i < 50 && up.exitCode !== 4; i++) {
      await pause(100);
      up = runCli(["up", "--config", config], { home: other, cwd: other });
    }
    expect(up.exitCode, up.stderr).toBe(4);
    expect(up.stderr).toContain("refusing to use a Sentinel group whose sentinels do not require their password");
    expect(up.stderr).toContain(`sentinel ${open} (got "*2") takes commands without a password, although swarm.yaml names redis.sentinel_password_env`);
    expect(up.stderr).toContain("--unsafe-allow-redis-without-auth");
  });

  it("takes and runs a task again after the primary is SIGKILLed and a replica is promoted over TLS", async () => {
    const oldPrimary = await group.primaryPort();
    const killedAt = Date.now();
    await group.kill9(oldPrimary);
    let refusals = 0;
    let lastRefusal = "";
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    let submitted: Awaited<ReturnType<Swarm["submit"]>> | null = null;
    while (submitted === null) {
      try {
        submitted = await client.submit({ task: "echo after-tls-failover", idempotencyKey: "after-tls-failover" });
      } catch (error) {
        refusals++;
        lastRefusal = (error as Error).message.slice(0, 160);
        if (Date.now() > giveUpAt) throw new Error(`still refused ${RETRY_FOR_MS} ms after the kill; last refusal: ${lastRefusal}`);
        await pause(100);
      }
    }
    const acceptedAt = Date.now();
    expect(submitted.replicas).toBeGreaterThanOrEqual(1);
    const result = await submitted.result({ signal: AbortSignal.timeout(90_000) });
    expect(result).toMatchObject({ status: "completed" });
    expect(result.output).toContain("after-tls-failover");
    const newPrimary = await group.primaryPort();
    expect(newPrimary).not.toBe(oldPrimary);
    console.log(
      `sentinel over TLS: primary :${oldPrimary} SIGKILLed, :${newPrimary} promoted; first task accepted ${acceptedAt - killedAt} ms after the kill, after ${refusals} refused submits (last: ${lastRefusal || "none"})`,
    );
  });
});
