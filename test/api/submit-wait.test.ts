/**
 * Submit and wait in one request (`POST /v1/tasks?wait=N`) against a real
 * swarm: the answer is the ended task's result (201, or 200 for a replayed
 * Idempotency-Key), or 202 with the task as it is when the wait runs out;
 * the Idempotency-Key rules are those of a plain submit; the OpenAPI
 * document shows the parameter and the 202. And the waiter under it (the
 * SDK's `result({ wait })`, which reads a task's record once, after it is
 * registered for the task's end event).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../core/index.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";

let api: ApiSwarm;
beforeAll(async () => {
  api = await startApiSwarm();
});
afterAll(async () => api?.swarm.destroy());

describe("submit and wait in one request", () => {
  it("answers the ended task's result, 201 and its Location, in the request that submitted it", async () => {
    const reply = await api.call("POST", "/v1/tasks?wait=30", { body: { task: "echo one round trip", agent: "beta" } });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({
      agent: "beta",
      routedBy: "explicit",
      created: true,
      status: "completed",
      exitCode: 0,
      output: "one round trip\n",
    });
    expect(reply.headers.get("location")).toBe(`/v1/tasks/${reply.json.id}`);
    expect((await api.call("GET", `/v1/tasks/${reply.json.id}/result`)).json).toMatchObject({ id: reply.json.id, status: "completed" });
  });

  it("answers 202 with the task still running when the wait runs out, and the task goes on", async () => {
    const reply = await api.call("POST", "/v1/tasks?wait=1", { body: { task: "sleep 30", agent: "alpha" } });
    expect(reply.status).toBe(202);
    expect(reply.json).toMatchObject({ created: true, agent: "alpha", finishedAt: null });
    expect(reply.json.status).toMatch(/^(queued|running)$/);
    expect(reply.headers.get("location")).toBe(`/v1/tasks/${reply.json.id}`);
    expect((await api.call("GET", `/v1/tasks/${reply.json.id}`)).json.status).toMatch(/^(queued|running)$/);
    await api.call("POST", `/v1/tasks/${reply.json.id}/cancel`);
  });

  it("answers 202 at once with ?wait=0, and the task still ends", async () => {
    const reply = await api.call("POST", "/v1/tasks?wait=0", { body: { task: "echo no wait", agent: "beta" } });
    expect(reply.status).toBe(202);
    expect(reply.json).toMatchObject({ created: true, status: "queued" });
    expect((await api.call("GET", `/v1/tasks/${reply.json.id}/result?wait=30`)).json).toMatchObject({ status: "completed", output: "no wait\n" });
  });

  it("replays an Idempotency-Key with wait: the same task, waited for, run once; a different body is still 409", async () => {
    const headers = { "idempotency-key": "wait-replay-1" };
    const body = { task: "sleep 2; echo $RANDOM$RANDOM", agent: "alpha" };
    const first = await api.call("POST", "/v1/tasks?wait=0", { body, headers });
    expect(first.status).toBe(202);
    expect(first.json.created).toBe(true);

    // The replay names the running task and waits for it: one task, its own output.
    const replayed = await api.call("POST", "/v1/tasks?wait=30", { body: { agent: "alpha", task: body.task }, headers });
    expect(replayed.status).toBe(200);
    expect(replayed.json).toMatchObject({ id: first.json.id, created: false, status: "completed", exitCode: 0 });
    expect(replayed.json.output).toMatch(/^\d+\n$/);

    const again = await api.call("POST", "/v1/tasks?wait=30", { body, headers });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, created: false, output: replayed.json.output });

    const other = await api.call("POST", "/v1/tasks?wait=30", { body: { task: "echo another", agent: "alpha" }, headers });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ status: 409, detail: expect.stringContaining("wait-replay-1") });
  });

  it("refuses a wait out of range or an unknown query field with the query pointer, and submits nothing", async () => {
    const before = (await api.call("GET", "/v1/tasks?limit=500")).json.tasks.length;
    for (const [query, pointer] of [
      ["wait=601", "/wait"],
      ["wait=-1", "/wait"],
      ["wait=soon", "/wait"],
      ["wiat=5", "/wiat"],
    ] as const) {
      const reply = await api.call("POST", `/v1/tasks?${query}`, { body: { task: "echo never", agent: "beta" } });
      expect(reply.status, query).toBe(400);
      expect(reply.json.errors, query).toEqual([expect.objectContaining({ pointer, in: "query" })]);
    }
    expect((await api.call("GET", "/v1/tasks?limit=500")).json.tasks.length).toBe(before);
  });

  it("is in the OpenAPI document: the wait parameter of POST /v1/tasks and its 202", async () => {
    const operation = (await api.call("GET", "/openapi.json")).json.paths["/v1/tasks"].post;
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: "wait", in: "query", required: false }));
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["200", "201", "202", "409"]));
    const accepted = operation.responses["202"].content["application/json"].schema;
    expect(Object.keys(accepted.properties)).toEqual(expect.arrayContaining(["id", "status", "output", "created", "routedBy"]));
  });

  it("answers every one of many concurrent submit-and-waits with its own ended task", async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.call("POST", "/v1/tasks?wait=60", { body: { task: `echo concurrent-${i}`, agent: i % 2 ? "alpha" : "beta" } })),
    );
    replies.forEach((reply, i) => {
      expect(reply.status, `request ${i}`).toBe(201);
      expect(reply.json, `request ${i}`).toMatchObject({ status: "completed", output: `concurrent-${i}\n` });
    });
    expect(new Set(replies.map((reply) => reply.json.id)).size).toBe(30);
  });
});

describe("the waiter under the long-poll and the SDK's result({ wait })", () => {
  it("resolves waits on tasks that end at once, many at a time, each with its own record", async () => {
    const swarm = await api.swarm.connect();
    const handles = await Promise.all(Array.from({ length: 40 }, (_, i) => swarm.submit({ task: `echo quick-${i}`, agent: "alpha" })));
    const results = await Promise.all(handles.map((handle) => handle.result({ signal: AbortSignal.timeout(60_000) })));
    results.forEach((result, i) => expect(result).toMatchObject({ id: handles[i]!.id, status: "completed", output: `quick-${i}\n` }));
  });

  it("resolves a wait on a task that had already ended", async () => {
    const swarm = await api.swarm.connect();
    const handle = await swarm.submit({ task: "echo ended before", agent: "beta" });
    await handle.result();
    await expect(swarm.result(handle.id, { wait: true })).resolves.toMatchObject({ status: "completed", output: "ended before\n" });
  });

  it("rejects a wait on an unknown task with NotFoundError, and one given an aborted signal with its reason", async () => {
    const swarm = await api.swarm.connect();
    await expect(swarm.result("nosuchtask-000000", { wait: true })).rejects.toBeInstanceOf(NotFoundError);
    const handle = await swarm.submit({ task: "sleep 30", agent: "alpha" });
    const reason = new Error("given up");
    await expect(handle.result({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = handle.result({ signal: controller.signal });
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await handle.cancel();
    await expect(handle.result({ signal: AbortSignal.timeout(30_000) })).resolves.toMatchObject({ status: "cancelled" });
  });
});
