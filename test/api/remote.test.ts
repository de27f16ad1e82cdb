/**
 * Clients on "another machine": the SDK's remote mode and the CLI's --url
 * talk to the swarm only through its HTTP API (no home, no Redis socket).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessError, connect } from "../../index.js";
import { runCli } from "../helpers/swarm.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";

const APPROVAL_FLOW = `
name: remote-flow
params: { word: { default: hello } }
steps:
  - id: first
    agent: alpha
    task: echo first
  - id: gate
    depends_on: first
    approval: "Go on?"
  - id: last
    agent: beta
    depends_on: gate
    task: echo last
`;

describe("remote clients over the HTTP API", () => {
  let api: ApiSwarm;
  let elsewhere: string;
  beforeAll(async () => {
    api = await startApiSwarm();
    elsewhere = mkdtempSync(join(tmpdir(), "ca-remote-"));
  });
  afterAll(async () => {
    await api?.swarm.destroy();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("runs tasks and workflows through connect({ url, token })", async () => {
    const swarm = await connect({ url: api.url, token: api.token });
    const task = await swarm.submit({ task: "echo remote sdk", agent: "beta", idempotencyKey: "sdk-1" });
    expect(await task.result()).toMatchObject({ status: "completed", output: "remote sdk\n", exitCode: 0 });
    expect((await swarm.submit({ task: "echo remote sdk", agent: "beta", idempotencyKey: "sdk-1" })).id).toBe(task.id);
    const status = await swarm.status();
    expect(status.agents.map((a) => a.name)).toEqual(["alpha", "beta"]);
    const run = await swarm.runWorkflow({ yaml: APPROVAL_FLOW });
    let state = await run.state();
    for (let i = 0; i < 200 && state.steps.gate?.status !== "waiting-approval"; i++) state = await swarm.control.execution(run.id, 1);
    expect(state.steps.gate?.status).toBe("waiting-approval");
    await swarm.approve(run.id, "gate");
    const final = await run.result();
    expect(final.status).toBe("completed");
    expect(final.steps.last).toMatchObject({ status: "completed", output: "last\n" });
    await swarm.close();
  });

  it("refuses a wrong token up front with a typed error", async () => {
    await expect(connect({ url: api.url, token: `cat_${"C".repeat(43)}` })).rejects.toBeInstanceOf(AccessError);
  });

  it("lets the CLI submit, wait, show status and cancel with --url or CLAUDE_AGENT_URL, from a home with no swarm", () => {
    const env = { CLAUDE_AGENT_TOKEN: api.token };
    const submitted = runCli(["--url", api.url, "submit", "--task", "echo remote cli", "--agent", "alpha", "--wait", "--json"], { home: elsewhere, env });
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    const result = JSON.parse(submitted.stdout) as { id: string; status: string; output: string };
    expect(result).toMatchObject({ status: "completed", output: "remote cli\n" });
    const shown = runCli(["result", result.id], { home: elsewhere, env: { ...env, CLAUDE_AGENT_URL: api.url } });
    expect(shown.stdout).toContain(`task ${result.id}: completed`);
    const status = runCli(["status"], { home: elsewhere, env: { ...env, CLAUDE_AGENT_URL: api.url } });
    expect(status.stdout).toContain(`api: ${api.url}`);
    expect(status.stdout).toContain("alpha-1");
    const failing = runCli(["--url", api.url, "submit", "--task", "exit 3", "--agent", "beta", "--wait"], { home: elsewhere, env });
    expect(failing.exitCode).toBe(1);
    const slow = runCli(["--url", api.url, "submit", "--task", "sleep 30", "--agent", "beta"], { home: elsewhere, env });
    const cancelled = runCli(["--url", api.url, "cancel", slow.stdout.trim()], { home: elsewhere, env });
    expect(cancelled.stdout).toContain("cancelling");
    const denied = runCli(["--url", api.url, "status"], { home: elsewhere, env: { CLAUDE_AGENT_TOKEN: `cat_${"D".repeat(43)}` } });
    expect(denied.exitCode).toBe(2);
    expect(denied.stderr).toContain("the API refused the token");
    const unknown = runCli(["--url", api.url, "result", "nosuchtask-00"], { home: elsewhere, env });
    expect(unknown.exitCode).toBe(2);
  });
});
