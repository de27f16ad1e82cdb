/**
 * Bugs of `status` and `logs` met in the first hour, each pinned down on a
 * real swarm: `status --watch` into a pipe prints only changes (not a block
 * every interval while the clock ticks), `logs` of an unknown agent is a
 * usage error, and `status` with Redis up but no daemon says the swarm is
 * not running with exit 3.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";

describe("status and logs on a real swarm", () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("status --watch into a pipe prints one block for an idle swarm, then one per change", async () => {
    const child = spawn(process.execPath, [CLI, "--home", swarm.home, "status", "--watch", "--interval", "0.3"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const blocks = () => out.split(/^--- \S+ ---$/m).filter((b) => b.trim() !== "");
    const deadline = Date.now() + 15_000;
    while (blocks().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // ~10 snapshots of an idle swarm (its sessions' uptimes and Redis' round trip change each time).
    await new Promise((r) => setTimeout(r, 3000));
    expect(blocks()).toHaveLength(1);
    const client = await swarm.connect();
    await (await client.submit({ task: "true", agent: "beta" })).result();
    const after = Date.now() + 10_000;
    while (blocks().length < 2 && Date.now() < after) await new Promise((r) => setTimeout(r, 50));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    await exited;
    expect(blocks().length).toBeGreaterThanOrEqual(2);
    expect(blocks().length).toBeLessThanOrEqual(4);
  });

  it("logs of an agent the swarm does not have exits 2 naming its agents", () => {
    const result = swarm.cli(["logs", "nobody"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown agent "nobody"');
    expect(result.stderr).toContain("alpha, beta");
    expect(swarm.cli(["logs", "beta"]).exitCode).toBe(0);
  });

  it("status with Redis up and the daemon stopped exits 3, in text and JSON", async () => {
    expect(swarm.cli(["status"]).exitCode).toBe(0);
    const daemon = swarm.daemon!;
    const exited = new Promise((resolve) => daemon.once("exit", resolve));
    daemon.kill("SIGTERM");
    await exited;
    swarm.daemon = null;
    const text = swarm.cli(["status"]);
    expect(text.stdout).toContain(`NOT RUNNING (no heartbeat); start it with \`claude-agent --home ${swarm.home} up --detach\``);
    expect(text.exitCode).toBe(3);
    const json = swarm.cli(["status", "--json"]);
    expect(JSON.parse(json.stdout).daemon.alive).toBe(false);
    expect(json.exitCode).toBe(3);
  });
});
