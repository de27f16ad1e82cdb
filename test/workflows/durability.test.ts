/**
 * Executions survive their daemon: `kill -9` in the middle of a step, a request
 * made while no daemon runs, a graceful stop. Every step appends a line to a
 * file in the pane it runs in, so "no completed step ran twice" is a line count.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient } from "../../workflows/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, stateUntil, statuses, workflowFile } from "./support.js";
import { waitFor } from "../helpers/wait.js";

const AGENTS = `
agents:
  - name: alpha
    runtime: shell
    replicas: 1
    timeout: 60
  - name: beta
    runtime: shell
    replicas: 1
    timeout: 60
`;

describe("durable executions", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let workflows: WorkflowClient;
  let client: Swarm;
  let dir: string;
  beforeAll(async () => {
    swarm = await startTestSwarm(AGENTS);
    dir = mkdtempSync(join(tmpdir(), "ca-wfd-"));
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** (Re)connects: a killed daemon does not take Redis down, but be explicit about what a client holds. */
  async function reconnect(): Promise<void> {
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
  }

  /** A chain whose middle step runs long enough to be killed under; each step logs to `log`. */
  function chain(log: string, name: string): string {
    return workflowFile(
      dir,
      `
name: ${name}
steps:
  - id: first
    agent: alpha
    task: echo first >> ${log}
  - id: middle
    agent: beta
    depends_on: first
    task: echo middle-start >> ${log}; sleep 2; echo middle-end >> ${log}; echo middle-output
  - id: gated
    agent: alpha
    depends_on: middle
    task: echo gated >> ${log}
    gate: echo gate >> ${log}
  - id: last
    agent: beta
    depends_on: gated
    task: echo "last {{steps.middle.output}}" >> ${log}
`,
    );
  }

  const lines = (log: string): string[] => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

  it("kill -9 of the daemon mid-step, then a restart: the execution finishes, no completed step runs twice, the running one is re-adopted", async () => {
    await reconnect();
    const log = join(dir, "kill9.log");
    const id = (await cli(swarm.home, ["workflow", "run", "--file", chain(log, "kill9")])).stdout.trim();
    const running = await stateUntil(workflows, id, "the middle step's task", (s) => s.steps.middle?.taskId !== null, 15_000);
    await waitFor("the middle step to start", () => lines(log).includes("middle-start"));
    const middleTask = running.steps.middle!.taskId!;
    await swarm.kill9();
    // The step's task keeps running in its tmux pane while no daemon exists.
    const killedAt = await workflows.get(id);
    expect(killedAt.status).toBe("running");
    expect(killedAt.steps.middle?.status).toBe("running");
    await swarm.start();
    const done = await stateUntil(workflows, id, "the end", (s) => s.status !== "running", 30_000);
    expect(statuses(done)).toEqual({ first: "completed", middle: "completed", gated: "completed", last: "completed" });
    expect(done.steps.middle?.taskId).toBe(middleTask);
    expect(done.steps.middle?.attempts).toBe(1);
    expect(lines(log)).toEqual(["first", "middle-start", "middle-end", "gated", "gate", "last middle-output"]);
    const events = (await client.client.events.recent(1000)).filter((e) => (e as { executionId?: string }).executionId === id).map((e) => e.type);
    expect(events).toContain("workflow.resumed");
    expect(events.filter((t) => t === "workflow.started")).toHaveLength(1);
  });

  it("a run requested while no daemon runs waits in Redis and starts when the daemon does", async () => {
    await reconnect();
    await swarm.kill9();
    const log = join(dir, "offline.log");
    const file = workflowFile(dir, { name: "offline", steps: [{ id: "only", agent: "alpha", task: `echo ran >> ${log}` }] });
    const requested = await cli(swarm.home, ["workflow", "run", "--file", file]);
    // (No "daemon not running" warning to check: its heartbeat stays fresh for a while after a kill -9.)
    expectExit(requested, 0);
    const id = requested.stdout.trim();
    await new Promise((r) => setTimeout(r, 300));
    expect((await workflows.get(id)).steps.only?.status).toBe("pending");
    await swarm.start();
    const done = await stateUntil(workflows, id, "the end", (s) => s.status !== "running");
    expect(done.status).toBe("completed");
    expect(lines(log)).toEqual(["ran"]);
  });

  it("a graceful stop (SIGTERM) leaves the running step running and its task alive; the next daemon carries on", async () => {
    await reconnect();
    const log = join(dir, "graceful.log");
    const id = (await cli(swarm.home, ["workflow", "run", "--file", chain(log, "graceful")])).stdout.trim();
    await stateUntil(workflows, id, "the middle step", (s) => s.steps.middle?.status === "running", 15_000);
    await waitFor("the middle step to start", () => lines(log).includes("middle-start"));
    const daemon = swarm.daemon!;
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
    swarm.daemon = null;
    const stopped = await workflows.get(id);
    expect(stopped.status).toBe("running");
    expect(stopped.steps.middle?.status).toBe("running");
    await swarm.start();
    const done = await stateUntil(workflows, id, "the end", (s) => s.status !== "running", 30_000);
    expect(done.status).toBe("completed");
    expect(lines(log)).toEqual(["first", "middle-start", "middle-end", "gated", "gate", "last middle-output"]);
  });
});
