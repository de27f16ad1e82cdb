/**
 * A task that fails or times out waits in "needs you" with a way to run it
 * again, in a real swarm (redis-server, tmux, the built CLI, the HTTP API):
 * the leader opens one item per failed task (not for a workflow's steps,
 * whose execution handles them); approving the item, `claude-agent retry`
 * and `POST /v1/tasks/{id}/retry` all submit the same task again, once.
 * The tests run in order on one swarm.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmClient } from "../../client/index.js";
import type { InboxItem, TaskResult } from "../../core/index.js";
import { startApiSwarm, type ApiSwarm } from "../api/support.js";
import { waitFor } from "../helpers/wait.js";
import { cli } from "../llm/support.js";
import { runToEnd, workflowFile } from "../workflows/support.js";

const RESULT_WAIT_MS = 45_000;

const AGENTS = `
agents:
  - name: ops
    runtime: shell
    replicas: 1
    timeout: 60
`;

describe("failed tasks in the inbox", () => {
  let api: ApiSwarm;
  let client: SwarmClient;
  let work: string;
  /** A task the refusal test cancels: a cancel is a person's decision, not a failure. */
  let cancelledId = "";

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ca-failed-"));
    api = await startApiSwarm(undefined, AGENTS);
    client = (await api.swarm.connect()).client;
  });
  afterAll(async () => {
    await api?.swarm.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  const submit = (task: string, extra: { timeout?: number } = {}) => client.submit({ task, agent: "ops", ...extra });
  const result = (id: string): Promise<TaskResult> => client.result(id, { wait: true, signal: AbortSignal.timeout(RESULT_WAIT_MS) });
  // Through the API (a CLI process per poll would cost a node start each).
  const items = async (): Promise<InboxItem[]> => (await api.call("GET", "/v1/inbox?all=true")).json.items;
  const itemOf = (taskId: string) =>
    waitFor(`the inbox item of failed task ${taskId}`, async () => (await items()).find((i) => i.source.type === "task" && i.source.taskId === taskId), {
      everyMs: 200,
    });

  it("opens one approval item for a failed task, with its reason and the end of its output; approving it runs the task again", async () => {
    const failed = await submit(`echo "the marker ${"x".repeat(3)}" && echo last words >&2 && exit 3`);
    expect((await result(failed.id)).status).toBe("failed");
    const item = await itemOf(failed.id);
    expect(item).toMatchObject({ kind: "approval", status: "open", source: { type: "task", agent: "ops", taskId: failed.id } });
    expect(item.title).toContain(`task ${failed.id} of agent ops failed (exit 3)`);
    expect(item.text).toContain("the marker xxx");
    expect(item.text).toContain("last words");

    const shown = await cli(api.swarm, ["inbox", item.id]);
    expect(shown.stdout).toContain(`claude-agent answer ${item.id} approve   (runs the task again; deny dismisses it)`);

    const answered = await cli(api.swarm, ["answer", item.id, "approve"]);
    expect(answered.stderr).toBe("");
    expect(answered.exitCode).toBe(0);
    const retriedId = /retried as ([a-z0-9-]+)\)/.exec(answered.stdout)?.[1];
    expect(retriedId, answered.stdout).toBeDefined();
    const again = await client.get(retriedId!);
    expect(again).toMatchObject({ agent: "ops", task: (await client.get(failed.id)).task, idempotencyKey: `retry:${failed.id}` });
    expect((await result(retriedId!)).status).toBe("failed");
    expect((await items()).find((i) => i.id === item.id)).toMatchObject({ status: "answered", answer: { decision: "approve" } });
    // The retry failed too: it has an item of its own.
    expect((await itemOf(retriedId!)).status).toBe("open");
  });

  it("opens an item for a task that timed out; denying it dismisses it and runs nothing", async () => {
    const slow = await submit("sleep 30", { timeout: 1 });
    expect((await result(slow.id)).status).toBe("timeout");
    const item = await itemOf(slow.id);
    expect(item.title).toContain("timed out");
    const denied = await cli(api.swarm, ["answer", item.id, "deny"]);
    expect(denied.exitCode).toBe(0);
    expect((await items()).find((i) => i.id === item.id)).toMatchObject({ status: "answered", answer: { decision: "deny" } });
    const retried = await client.retry(slow.id).catch(() => null);
    // Denying is not retrying: the first retry is made only now, by this call.
    expect(retried?.created).toBe(true);
  });

  it("`claude-agent retry` and POST /v1/tasks/{id}/retry submit the same retry once, and answer the open item", async () => {
    const failed = await submit("exit 5");
    expect((await result(failed.id)).status).toBe("failed");
    const item = await itemOf(failed.id);

    const first = await cli(api.swarm, ["retry", failed.id, "--json"]);
    expect(first.exitCode, first.stderr).toBe(0);
    const retried = JSON.parse(first.stdout) as { id: string; created: boolean; retryOf: string };
    expect(retried).toMatchObject({ retryOf: failed.id, created: true, agent: "ops" });

    const second = await api.call("POST", `/v1/tasks/${failed.id}/retry`);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ id: retried.id, created: false });
    const text = await cli(api.swarm, ["retry", failed.id]);
    expect(text.stdout).toBe(`task ${failed.id} was retried before, as ${retried.id}\n`);

    const closed = (await items()).find((i) => i.id === item.id);
    expect(closed).toMatchObject({ status: "answered", answer: { decision: "approve", reason: `retried as ${retried.id}` } });
  });

  it("refuses to retry a task that is still running, with a clear error and no stack trace", async () => {
    const running = await submit("sleep 20");
    cancelledId = running.id;
    await waitFor("the task to start", async () => (await client.get(running.id)).status === "running", { everyMs: 100 });
    const refused = await cli(api.swarm, ["retry", running.id]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`task ${running.id} is still running: only an ended task can run again`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const viaApi = await api.call("POST", `/v1/tasks/${running.id}/retry`);
    expect(viaApi.status).toBe(400);
    await client.cancel(running.id);
    expect((await result(running.id)).status).toBe("cancelled");
  });

  it("opens no item for a failed step of a workflow (its execution handles it) nor for a cancelled task", async () => {
    const file = workflowFile(work, { name: "breaks", steps: [{ id: "boom", agent: "ops", task: "exit 9" }] });
    const state = await runToEnd(api.swarm.home, file);
    expect(state.status).toBe("failed");
    const stepTask = state.steps.boom?.taskId;
    expect(stepTask).toBeTruthy();
    // A later failure's item shows the leader has read past the step's events.
    const later = await submit("exit 4");
    await result(later.id);
    await itemOf(later.id);
    const all = await items();
    expect(all.filter((i) => i.source.type === "task" && i.source.taskId === stepTask)).toEqual([]);
    expect(all.filter((i) => i.source.type === "task" && i.source.taskId === cancelledId)).toEqual([]);
  });
});
