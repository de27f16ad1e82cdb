/**
 * swarm.yaml's `retention:` reaching the running daemon: the policy it logs at
 * start, and what its first sweeps forget (tasks and workflow executions
 * finished longer ago than configured, which the defaults would keep), and the
 * workflow commands coping with a forgotten execution.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "../../core/index.js";
import type { Swarm } from "../../client/index.js";
import { WorkflowClient, type ExecutionState } from "../../workflows/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { cli, expectExit, json, runToEnd, workflowFile } from "./support.js";
import { clientInternals } from "../../client/index.js";

const YAML = `
agents:
  - { name: alpha, runtime: shell, timeout: 60 }
retention: { completed: 2h, failed: 3d, max_tasks: 500, max_executions: 40 }
`;

const HOUR = 3600_000;

function task(id: string, status: TaskRecord["status"], finishedAt: number): TaskRecord {
  return {
    id,
    agent: "alpha",
    session: null,
    status,
    exitCode: null,
    output: "",
    outputFile: null,
    submittedAt: new Date(finishedAt - 60_000).toISOString(),
    startedAt: null,
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: null,
    attempts: 0,
    task: "true",
    timeoutSec: 60,
    priority: 0,
    idempotencyKey: null,
    routedBy: "explicit",
    dispatch: null,
    pane: null,
    cancelRequested: false,
  };
}

describe("retention from swarm.yaml in a running swarm", { timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let workflows: WorkflowClient;
  let dir: string;
  beforeAll(async () => {
    swarm = await startTestSwarm(YAML);
    client = await swarm.connect();
    workflows = new WorkflowClient(client.client);
    dir = mkdtempSync(join(tmpdir(), "ca-ret-"));
  });
  afterAll(async () => {
    await swarm?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const logEvents = (): Record<string, unknown>[] =>
    readFileSync(join(swarm.paths.logsDir, "swarm.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it("logs the configured policy once at start, for tasks and for workflow executions", async () => {
    // The leader's control loop starts the sweeper and the workflow service side by side: either may log first.
    const started = () => ["sweep.policy", "workflow.service.started"].every((name) => logEvents().some((e) => e.event === name));
    for (let i = 0; i < 200 && !started(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const events = logEvents();
    expect(events.filter((e) => e.event === "sweep.policy")).toEqual([expect.objectContaining({ completed: "2h", failed: "3d", maxTasks: 500 })]);
    expect(events.find((e) => e.event === "workflow.service.started")).toMatchObject({ retention: { completed: "2h", failed: "3d", maxExecutions: 40 } });
  });

  it("forgets tasks and executions finished longer ago than configured, keeps the rest, and `workflow show` of a forgotten one exits 2", async () => {
    const fresh = await runToEnd(swarm.home, workflowFile(dir, "name: tiny\nsteps:\n  - { id: a, agent: alpha, task: echo hi }\n"));
    expect(fresh.status).toBe("completed");
    const threeHoursAgo = Date.now() - 3 * HOUR;
    const aged = (id: string, status: ExecutionState["status"]): ExecutionState => ({
      ...fresh,
      id,
      status,
      finishedAt: new Date(threeHoursAgo).toISOString(),
    });
    await workflows.store.create(aged("old-completed", "completed"));
    await workflows.store.create(aged("old-failed", "failed"));
    const { ledger } = clientInternals(client.client);
    for (const record of [task("t-old-ok", "completed", threeHoursAgo), task("t-old-failed", "failed", threeHoursAgo)]) {
      await ledger.create({ ...record, status: "queued" });
      await ledger.finish(record.id, record.status as never, { finishedAt: record.finishedAt ?? "" });
    }

    // The defaults (7 days) would keep all of them; the first sweeps of a restarted daemon use 2h and 3d.
    await swarm.kill9();
    await swarm.start();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && ((await workflows.store.get("old-completed")) !== null || (await ledger.get("t-old-ok")) !== null)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await workflows.store.get("old-completed")).toBeNull();
    expect(await ledger.get("t-old-ok")).toBeNull();
    expect(await workflows.store.get("old-failed")).not.toBeNull();
    expect(await ledger.get("t-old-failed")).not.toBeNull();

    const list = await cli(swarm.home, ["workflow", "list", "--json"]);
    expectExit(list, 0);
    expect((json(list) as { id: string }[]).map((s) => s.id).sort()).toEqual([fresh.id, "old-failed"].sort());
    const shown = await cli(swarm.home, ["workflow", "show", "old-completed"]);
    expectExit(shown, 2);
    expect(shown.stderr).toContain('no workflow execution "old-completed"');
  });
});
