/**
 * Issue 11, finding 2: with REDIS_URL pointing at a Redis without a password,
 * any local user could read the swarm's tasks and queue jobs that run as the
 * swarm's user. `up` refuses a TCP Redis that lets clients in without
 * credentials, and one beyond this machine reached without TLS, unless given
 * the opt-out named for that risk; passwords, ACL users and rediss:// work;
 * doctor reports all of it. Real redis-servers on private ports.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, tempHome, type CliResult } from "../helpers/swarm.js";
import { makeTlsFiles, nonLoopbackAddress, startTcpRedis, type TcpRedis } from "./redis-support.js";

const SWARM = "agents:\n  - name: alpha\n    runtime: shell\n    timeout: 60\ndefault_agent: alpha\n";

const homes: string[] = [];
const servers: TcpRedis[] = [];
afterAll(async () => {
  for (const home of homes) {
    runCli(["down"], { home, env: { REDIS_URL: "" } });
    rmSync(home, { recursive: true, force: true });
  }
  for (const server of servers) await server.stop();
});

function newHome(): string {
  const home = tempHome();
  writeFileSync(join(home, "swarm.yaml"), SWARM);
  homes.push(home);
  return home;
}

async function redis(options: Parameters<typeof startTcpRedis>[0] = {}): Promise<TcpRedis> {
  const server = await startTcpRedis(options);
  servers.push(server);
  return server;
}

/** `up --detach` then a task, as a user would; returns both results and stops the swarm. */
function upAndRun(home: string, env: NodeJS.ProcessEnv, extra: string[] = []): { up: CliResult; task: CliResult | null; doctor: CliResult | null } {
  const up = runCli(["up", "--detach", ...extra], { home, cwd: home, env });
  if (up.exitCode !== 0) return { up, task: null, doctor: null };
  const task = runCli(["submit", "--task", "echo through-redis", "--wait", "--json"], { home, env });
  const doctor = runCli(["doctor", "--json"], { home, env });
  runCli(["down"], { home, env });
  return { up, task, doctor };
}

function check(doctor: CliResult | null, name: string): { ok: boolean; detail: string } | undefined {
  return (JSON.parse(doctor?.stdout ?? "{}") as { checks?: { name: string; ok: boolean; detail: string }[] }).checks?.find((c) => c.name === name);
}

/** `redis-cli DBSIZE`'s reply: a number, or the error a client without the right credentials gets. */
function dbsize(server: TcpRedis, ...auth: string[]): number | string {
  const reply = execFileSync("redis-cli", ["-h", server.host, "-p", String(server.port), ...auth, "--no-auth-warning", "DBSIZE"], { encoding: "utf8" }).trim();
  return /^\d+$/.test(reply) ? Number(reply) : reply;
}

describe("up against a REDIS_URL", { timeout: 180_000 }, () => {
  it("refuses a TCP Redis that lets clients in without a password, names the opt-out, and starts nothing", async () => {
    const server = await redis();
    const home = newHome();
    const env = { REDIS_URL: server.url() };
    const up = runCli(["up", "--detach"], { home, cwd: home, env });
    expect(up.exitCode, up.stdout + up.stderr).toBe(4);
    expect(up.stderr).toContain("refusing to use an unauthenticated Redis");
    expect(up.stderr).toContain("--unsafe-allow-redis-without-auth");
    expect(dbsize(server)).toBe(0); // no config, no queue, nothing written
    expect(existsSync(join(home, "run", "tmux.sock"))).toBe(false);
    expect(existsSync(join(home, "run", "daemon.pid"))).toBe(false);

    const doctor = runCli(["doctor", "--json"], { home, env });
    expect(doctor.exitCode).toBe(1);
    expect(check(doctor, "redis auth")).toMatchObject({ ok: false });
    expect(check(doctor, "redis auth")?.detail).toMatch(/lets clients in without a password/);
  });

  it("starts on such a Redis only with --unsafe-allow-redis-without-auth, warning in its log", async () => {
    const server = await redis();
    const home = newHome();
    const { up, task } = upAndRun(home, { REDIS_URL: server.url() }, ["--unsafe-allow-redis-without-auth"]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(task!.stdout)).toMatchObject({ status: "completed", output: "through-redis\n" });
    expect(readFileSync(join(home, "logs", "daemon.out"), "utf8")).toContain("WARNING (--unsafe-allow-redis-without-auth)");
  });

  it("works with a password (requirepass), while a client without it is refused", async () => {
    const server = await redis({ args: ["--requirepass", "pw-123"] });
    const home = newHome();
    const { up, task, doctor } = upAndRun(home, { REDIS_URL: server.url(":pw-123") });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(task!.stdout)).toMatchObject({ status: "completed", output: "through-redis\n" });
    expect(check(doctor, "redis auth")).toMatchObject({ ok: true });
    expect(check(doctor, "redis auth")?.detail).toMatch(/refused \(-NOAUTH\).*a password \(the default user\)/);
    expect(check(doctor, "redis transport")?.detail).toMatch(/TCP on this machine/);
    expect(dbsize(server)).toMatch(/^NOAUTH/);
  });

  it("works as an ACL user with the default user off", async () => {
    const server = await redis({ args: ["--user", "default", "off", "--user", "swarm", "on", ">acl-pw", "~*", "&*", "+@all"] });
    const home = newHome();
    const { up, task, doctor } = upAndRun(home, { REDIS_URL: server.url("swarm:acl-pw") });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(task!.stdout)).toMatchObject({ status: "completed", output: "through-redis\n" });
    expect(check(doctor, "redis auth")?.detail).toMatch(/ACL user "swarm"/);
    expect(dbsize(server, "--user", "swarm", "--pass", "acl-pw")).toBeGreaterThan(0);
  });

  it("says the login was refused, exit 4, for a wrong password or user, rather than that the swarm is not running", async () => {
    const server = await redis({ args: ["--user", "default", "off", "--user", "swarm", "on", ">acl-pw", "~*", "&*", "+@all"] });
    const home = newHome();
    for (const userinfo of ["swarm:wrong-pw", "nobody:acl-pw", ":acl-pw"]) {
      for (const args of [["up", "--detach"], ["status"]]) {
        const run = runCli(args, { home, cwd: home, env: { REDIS_URL: server.url(userinfo) } });
        expect(run.exitCode, `${args.join(" ")} as ${userinfo}: ${run.stderr}`).toBe(4);
        expect(run.stderr).toMatch(/refused the swarm's login: (WRONGPASS|NOAUTH)/);
        expect(run.stderr).toContain("Check the user and password in REDIS_URL");
        expect(run.stderr).not.toContain("acl-pw");
      }
    }
  });

  it("works over rediss:// with a private CA trusted through NODE_EXTRA_CA_CERTS", async () => {
    const tls = makeTlsFiles();
    try {
      const server = await redis({ tls, args: ["--requirepass", "tls-pw"] });
      const home = newHome();
      const { up, task, doctor } = upAndRun(home, { REDIS_URL: server.url(":tls-pw"), NODE_EXTRA_CA_CERTS: tls.ca });
      expect(up.exitCode, up.stderr).toBe(0);
      expect(JSON.parse(task!.stdout)).toMatchObject({ status: "completed", output: "through-redis\n" });
      expect(check(doctor, "redis transport")).toMatchObject({ ok: true });
      expect(check(doctor, "redis transport")?.detail).toMatch(/^TLS \(rediss:\/\/\) at 127\.0\.0\.1:\d+$/);
    } finally {
      rmSync(tls.dir, { recursive: true, force: true });
    }
  });

  const address = nonLoopbackAddress();
  it.skipIf(address === null)("refuses a Redis on a non-loopback address reached without TLS, unless --unsafe-allow-redis-without-tls", async () => {
    const server = await redis({ host: address!, args: ["--requirepass", "net-pw"] });
    const home = newHome();
    const env = { REDIS_URL: server.url(":net-pw") };
    const refused = runCli(["up", "--detach"], { home, cwd: home, env });
    expect(refused.exitCode, refused.stdout + refused.stderr).toBe(4);
    expect(refused.stderr).toContain("refusing to use Redis over the network without TLS");
    expect(refused.stderr).toContain("--unsafe-allow-redis-without-tls");
    expect(dbsize(server, "-a", "net-pw")).toBe(0);
    const { up, task } = upAndRun(home, env, ["--unsafe-allow-redis-without-tls"]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(task!.stdout)).toMatchObject({ status: "completed" });
    expect(readFileSync(join(home, "logs", "daemon.out"), "utf8")).toContain("WARNING (--unsafe-allow-redis-without-tls)");
  });
});
