/**
 * Issue 16, item 6: a swarm on a Redis Sentinel group whose servers know only ACL users. Real processes: a
 * primary and a replica with the default user off and one user of their own (the replica and the sentinels log
 * in as it: `masteruser`, `sentinel auth-user`), and three sentinels with their default user off too and a user
 * of their own (`sentinel sentinel-user` among themselves). swarm.yaml names both users with
 * `redis: { username, password_env, sentinel_username, sentinel_password_env }`. A client that sent only a
 * password would be refused by either side (`AUTH pw` logs in as the default user, which is off), so a task
 * that runs proves both users are used. Then the primary is SIGKILLed and the swarm must take a task again
 * after the failover, which the sentinels carry out with their users and the client follows with its own.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { pause, startSentinelGroup, type SentinelGroup } from "./sentinel-support.js";

const PASSWORD_VARIABLE = "CA_TEST_SENTINEL_ACL_REDIS_PW";
const SENTINEL_PASSWORD_VARIABLE = "CA_TEST_SENTINEL_ACL_SENTINEL_PW";
const PASSWORD = "sentinel-acl-data-pw";
const SENTINEL_PASSWORD = "sentinel-acl-sentinels-pw";
const USER = "swarm-data";
const SENTINEL_USER = "swarm-watch";
/** How long the submit after the kill is retried before the test says the swarm did not come back. */
const RETRY_FOR_MS = 60_000;

describe("a swarm on a Redis Sentinel group whose servers know only ACL users", { timeout: 300_000 }, () => {
  let group: SentinelGroup;
  let swarm: TestSwarm;
  let client: Swarm;
  const scratch = tempHome();

  const redisYaml = (users: { data: string; sentinel: string }): string => `redis:
  sentinels: [${group.sentinels.map((address) => JSON.stringify(address)).join(", ")}]
  name: ${group.name}
  username: ${users.data}
  password_env: ${PASSWORD_VARIABLE}
  sentinel_username: ${users.sentinel}
  sentinel_password_env: ${SENTINEL_PASSWORD_VARIABLE}
`;

  beforeAll(async () => {
    // The daemon, the SDK client of this test and the home's other commands read them.
    process.env[PASSWORD_VARIABLE] = PASSWORD;
    process.env[SENTINEL_PASSWORD_VARIABLE] = SENTINEL_PASSWORD;
    group = await startSentinelGroup({ password: PASSWORD, user: USER, sentinelPassword: SENTINEL_PASSWORD, sentinelUser: SENTINEL_USER });
    const yaml = `swarm: sentinel-acl-${process.pid}
${redisYaml({ data: USER, sentinel: SENTINEL_USER })}agents:
  - { name: worker, runtime: shell, replicas: 1, timeout: 60 }
default_agent: worker
`;
    swarm = await startTestSwarm(yaml);
    client = await swarm.connect();
  }, 120_000);

  afterAll(async () => {
    await swarm?.destroy();
    await group?.stop();
    rmSync(scratch, { recursive: true, force: true });
    delete process.env[PASSWORD_VARIABLE];
    delete process.env[SENTINEL_PASSWORD_VARIABLE];
  });

  it("runs a task through the sentinels' primary, logged in as its users on both sides", async () => {
    const result = await (await client.submit({ task: "echo through-acl-users" })).result();
    expect(result).toMatchObject({ status: "completed", output: "through-acl-users\n" });
  });

  it("lets the home's other commands reach it with the users `up` recorded, and doctor finds both sides closed to anyone else", () => {
    const status = runCli(["status", "--json"], { home: swarm.home, cwd: scratch });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ daemon: { alive: true } });
    const { checks } = JSON.parse(runCli(["doctor", "--json"], { home: swarm.home, cwd: scratch }).stdout) as {
      checks: { name: string; ok: boolean; detail: string }[];
    };
    const check = (name: string) => checks.find((candidate) => candidate.name === name);
    expect(check("redis")).toMatchObject({ ok: true, detail: expect.stringContaining(`sentinel group "${group.name}"`) });
    expect(check("redis auth")).toMatchObject({ ok: true, detail: expect.stringContaining("-NOAUTH") });
    expect(check("redis sentinel auth")).toMatchObject({ ok: true, detail: expect.stringContaining("-NOAUTH") });
  });

  it("refuses at up, saying so, a user the sentinels do not know", async () => {
    const other = join(scratch, "unknown-user");
    mkdirSync(other);
    writeFileSync(join(other, ".claude-agent-home"), "");
    const config = join(other, "swarm.yaml");
    writeFileSync(
      config,
      `swarm: acl-unknown-${process.pid}\n${redisYaml({ data: USER, sentinel: "nobody" })}agents:\n  - { name: worker, runtime: shell }\napi: false\n`,
    );
    const up = runCli(["up", "--config", config], { home: other, cwd: other });
    expect(up.exitCode, up.stderr).toBe(4);
    expect(up.stderr).toContain(`Redis at sentinel group "${group.name}"`);
    expect(up.stderr).toMatch(/refused the swarm's login: .*WRONGPASS/);
    expect(up.stderr).toContain("redis.sentinel_username");
    expect(up.stderr).not.toContain("    at ");
  });

  it("takes and runs a task again after the primary is SIGKILLed and the replica is promoted", async () => {
    const oldPrimary = await group.primaryPort();
    await group.kill9(oldPrimary);
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    let submitted: Awaited<ReturnType<Swarm["submit"]>> | null = null;
    let lastRefusal = "";
    while (!submitted && Date.now() < giveUpAt) {
      try {
        submitted = await client.submit({ task: "echo after-acl-failover" });
      } catch (error) {
        lastRefusal = (error as Error).message;
        await pause(200);
      }
    }
    expect(submitted, `no submit was accepted within ${RETRY_FOR_MS} ms; the last refusal: ${lastRefusal}`).not.toBeNull();
    expect(await group.primaryPort()).not.toBe(oldPrimary);
    const result = await submitted!.result({ signal: AbortSignal.timeout(60_000) });
    expect(result).toMatchObject({ status: "completed", output: "after-acl-failover\n" });
  });
});
