/**
 * `down` while tasks run, on a real swarm: it says how many run and what
 * happens to them; `--drain` stops intake, waits for them and then stops,
 * leaving waiting tasks queued for the next `up`; `--drain --force` is a
 * usage error.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

describe("down with tasks running", () => {
  let swarm: TestSwarm;
  beforeAll(async () => {
    swarm = await startTestSwarm();
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("refuses --drain with --force", () => {
    expect(swarm.cli(["down", "--drain", "--force"])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("--drain and --force do not go together") });
  });

  it("--drain waits for the running task, starts no new one, and leaves the waiting one for the next up", { timeout: 120_000 }, async () => {
    let client = await swarm.connect();
    const running = await client.submit({ task: "sleep 6; echo slept", agent: "beta" });
    await waitFor("the task to run", async () => (await clientInternals(client.client).ledger.get(running.id))?.status === "running");
    const child = spawn(process.execPath, [CLI, "--home", swarm.home, "down", "--drain"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await waitFor("down to say it drains", () => stderr.includes("draining:"));
    expect(stderr).toContain(`draining: 1 task is running (${running.id} on beta-1); no new task starts`);
    const later = await client.submit({ task: "echo later", agent: "beta" });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(`still running: ${stderr} | ${stdout}`), 25_000))]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stopped: daemon/);
    await client.close().catch(() => undefined);

    await swarm.start();
    client = await swarm.connect();
    // The running task ended by itself, once; the waiting one was never started by the stopping swarm.
    expect(await clientInternals(client.client).ledger.get(running.id)).toMatchObject({ status: "completed", attempts: 1 });
    const { isAgentPaused } = await import("../../client/index.js");
    expect(await isAgentPaused(client.client, "beta")).toBe(false);
    const result = await client.client.result(later.id, { wait: true, signal: AbortSignal.timeout(30_000) });
    expect(result).toMatchObject({ status: "completed", output: "later\n", attempts: 1 });
  });

  it("says how many tasks run and what happens to them when it stops them (no terminal: it does not ask)", async () => {
    const client = await swarm.connect();
    const running = await client.submit({ task: "sleep 30", agent: "alpha" });
    await waitFor("the task to run", async () => (await clientInternals(client.client).ledger.get(running.id))?.status === "running");
    await client.close().catch(() => undefined);
    const down = swarm.cli(["down"]);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).toContain(`note: 1 task is running (${running.id} on alpha-`);
    expect(down.stderr).toContain("stopping now ends them, and each runs again from the start at the next `claude-agent up`");
    expect(down.stderr).toContain(`claude-agent --home ${swarm.home} down --drain`);
  });
});
