/**
 * Issue 11, finding 8: two homes sharing one REDIS_URL took over each other's
 * config and tasks. Each swarm has a key prefix of its own (`swarm: NAME` in
 * swarm.yaml, default derived from the home), and `up` refuses a prefix that
 * another live swarm owns. A real redis-server with a password, shared.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { runCli, startTestSwarm, tempHome, type TestSwarm } from "../helpers/swarm.js";
import { prefixOf, startTcpRedis, type TcpRedis } from "./redis-support.js";

const swarmOf = (agent: string): string => `agents:\n  - name: ${agent}\n    runtime: shell\n    timeout: 60\ndefault_agent: ${agent}\n`;

describe("two swarms on one shared Redis", { timeout: 180_000 }, () => {
  let server: TcpRedis;
  let env: NodeJS.ProcessEnv;
  let a: TestSwarm;
  let b: TestSwarm;
  let clientA: Swarm;
  let clientB: Swarm;
  const third = tempHome();
  beforeAll(async () => {
    server = await startTcpRedis({ args: ["--requirepass", "shared-pw"] });
    env = { REDIS_URL: server.url(":shared-pw") };
    a = await startTestSwarm(swarmOf("alpha"), { env });
    b = await startTestSwarm(swarmOf("beta"), { env });
    process.env.REDIS_URL = env.REDIS_URL; // for the SDK clients of this test process
    clientA = await a.connect();
    clientB = await b.connect();
  }, 150_000);
  afterAll(async () => {
    runCli(["down"], { home: third, env });
    rmSync(third, { recursive: true, force: true });
    await a?.destroy();
    await b?.destroy();
    delete process.env.REDIS_URL;
    await server?.stop();
  });

  it("each sees its own config, tasks, sessions and events, never the other's", async () => {
    expect(clientA.config.agents.map((agent) => agent.name)).toEqual(["alpha"]);
    expect(clientB.config.agents.map((agent) => agent.name)).toEqual(["beta"]);
    expect(prefixOf(a.home)).not.toBe(prefixOf(b.home));

    const inA = await clientA.submit({ task: "echo from-a" });
    const inB = await clientB.submit({ task: "echo from-b" });
    expect(await inA.result()).toMatchObject({ agent: "alpha", status: "completed", output: "from-a\n" });
    expect(await inB.result()).toMatchObject({ agent: "beta", status: "completed", output: "from-b\n" });
    expect(b.cli(["result", inA.id]).exitCode).toBe(2);
    expect(a.cli(["result", inB.id]).exitCode).toBe(2);

    const sessionsA = (await clientA.status()).sessions.map((s) => s.name);
    expect(sessionsA).toEqual(["alpha-1"]);
    const eventsA = JSON.parse(`[${a.cli(["logs", "--json", "-n", "100"]).stdout.trim().split("\n").join(",")}]`) as { taskId?: string }[];
    expect(eventsA.some((e) => e.taskId === inA.id)).toBe(true);
    expect(eventsA.some((e) => e.taskId === inB.id)).toBe(false);
  });

  it("up refuses a swarm name whose prefix another live swarm holds, and leaves that swarm untouched", async () => {
    const takenName = prefixOf(a.home).replace(/^ca-/, "");
    writeFileSync(join(third, "swarm.yaml"), `swarm: ${takenName}\n${swarmOf("gamma")}`);
    const up = runCli(["up", "--detach"], { home: third, cwd: third, env });
    expect(up.exitCode, up.stdout + up.stderr).not.toBe(0);
    expect(up.stderr).toContain(`the Redis key prefix "ca-${takenName}"`);
    expect(up.stderr).toContain(`belongs to another live swarm: the swarm of home ${a.home}`);
    const doctor = JSON.parse(runCli(["doctor", "--json"], { home: third, env }).stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(doctor.checks.find((c) => c.name === "redis key prefix")).toMatchObject({ ok: false });

    const again = await (await a.connect()).submit({ task: "echo a-still-works" });
    expect(again.agent).toBe("alpha");
    expect(await again.result()).toMatchObject({ status: "completed", output: "a-still-works\n" });
  });

  it("once that swarm is down, its name is free for the other home", async () => {
    expect(a.cli(["down"]).exitCode).toBe(0);
    const up = runCli(["up", "--detach"], { home: third, cwd: third, env });
    expect(up.exitCode, up.stderr).toBe(0);
    const task = runCli(["submit", "--task", "echo gamma-runs", "--wait", "--json"], { home: third, env });
    expect(JSON.parse(task.stdout)).toMatchObject({ agent: "gamma", status: "completed" });
  });
});
