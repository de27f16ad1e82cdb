/**
 * GET /v1/history/tasks[/id] against a real swarm and its real SQLite
 * history: full-text search with the matched words marked, filters and
 * pages, bad input refused at the edge, and a task served from the history
 * after Redis has forgotten it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientInternals } from "../../client/index.js";
import { waitFor } from "../helpers/wait.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";

describe("the history API", () => {
  let api: ApiSwarm;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    api = await startApiSwarm();
    for (const [name, task, agent] of [
      ["failed", "echo 'schema migration failed: column exists'; exit 4", "alpha"],
      ["ok", "echo all good", "alpha"],
      ["other", "echo beta says migration", "beta"],
    ] as const) {
      const submitted = await api.call("POST", "/v1/tasks", { body: { task, agent } });
      ids[name] = submitted.json.id;
    }
    for (const id of Object.values(ids)) await api.call("GET", `/v1/tasks/${id}?wait=30`);
    await waitFor("every task finished in the history", async () => {
      const page = await api.call("GET", "/v1/history/tasks?limit=50");
      const finished = (page.json.tasks ?? []).filter((t: { id: string; finishedAt: string | null }) => Object.values(ids).includes(t.id) && t.finishedAt);
      return finished.length === 3;
    });
  }, 120_000);
  afterAll(async () => api?.swarm.destroy());

  it("searches task text and output, task-text matches first, with the matched words marked", async () => {
    const found = await api.call("GET", `/v1/history/tasks?search=${encodeURIComponent("migrations failing")}`);
    expect(found.status).toBe(200);
    expect(found.json.tasks.map((t: { id: string }) => t.id)).toEqual([ids.failed]);
    expect(found.json.tasks[0].snippet).toContain("«migration»");
    const broader = await api.call("GET", "/v1/history/tasks?search=migration");
    expect(broader.json.tasks.map((t: { id: string }) => t.id).sort()).toEqual([ids.failed, ids.other].sort());
    // Search text is words, never query syntax: this finds nothing and breaks nothing.
    const hostile = await api.call("GET", `/v1/history/tasks?search=${encodeURIComponent(`"; DROP TABLE tasks; NEAR(x* --`)}`);
    expect(hostile.status).toBe(200);
  });

  it("filters by agent, status and time, and pages without repeating or skipping", async () => {
    const failed = await api.call("GET", "/v1/history/tasks?status=failed,timeout&agent=alpha");
    expect(failed.json.tasks.map((t: { id: string }) => t.id)).toEqual([ids.failed]);
    const recent = await api.call("GET", "/v1/history/tasks?since=1h&agent=alpha");
    expect(recent.json.tasks.map((t: { id: string }) => t.id).sort()).toEqual([ids.failed, ids.ok].sort());
    expect((await api.call("GET", "/v1/history/tasks?until=2020-01-01")).json.tasks).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.call("GET", `/v1/history/tasks?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.json.tasks.length).toBeLessThanOrEqual(1);
      seen.push(...page.json.tasks.map((t: { id: string }) => t.id));
      cursor = page.json.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(Object.values(ids)));
  });

  it("counts the window's finished tasks per minute, every minute present, and refuses a window out of range", async () => {
    const reply = await api.call("GET", "/v1/history/throughput?minutes=10");
    expect(reply.status).toBe(200);
    expect(reply.json.bucketMs).toBe(60_000);
    const buckets = reply.json.buckets as { at: string; completed: number; failed: number; meanWaitMs: number | null }[];
    expect(buckets.length).toBeGreaterThanOrEqual(10);
    expect(buckets.map((b) => Date.parse(b.at) % 60_000)).toEqual(buckets.map(() => 0));
    expect(buckets.reduce((sum, b) => sum + b.completed, 0)).toBe(2);
    expect(buckets.reduce((sum, b) => sum + b.failed, 0)).toBe(1);
    expect(buckets.some((b) => b.meanWaitMs !== null && b.meanWaitMs >= 0)).toBe(true);
    expect((await api.call("GET", "/v1/history/throughput?minutes=2")).status).toBe(400);
    expect((await api.call("GET", "/v1/history/throughput?minutes=600")).json.bucketMs).toBe(15 * 60_000);
  });

  it("refuses a bad status, time, limit or cursor with 400 naming the field", async () => {
    for (const [query, pointer] of [
      ["status=bogus", "/status"],
      ["since=yesterday-ish", "/since"],
      ["limit=0", "/limit"],
      ["cursor=not%20a%20cursor", "/cursor"],
      ["sudo=1", "/sudo"],
    ]) {
      const reply = await api.call("GET", `/v1/history/tasks?${query}`);
      expect([query, reply.status, reply.json.errors?.[0]?.pointer]).toEqual([query, 400, pointer]);
    }
    expect((await api.call("GET", "/v1/history/tasks?cursor=Z2FyYmFnZQ")).status).toBe(400);
  });

  it("serves a task's record from the history after Redis has forgotten it, and 404 for one it never had", async () => {
    const client = await api.swarm.connect();
    await clientInternals(client.client).ledger.remove([ids.failed as string]); // what retention does
    expect((await api.call("GET", `/v1/tasks/${ids.failed}`)).status).toBe(404);
    const kept = await api.call("GET", `/v1/history/tasks/${ids.failed}`);
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ id: ids.failed, status: "failed", exitCode: 4, agent: "alpha", submittedVia: "api" });
    expect(kept.json.output).toContain("schema migration failed");
    expect(kept.json).not.toHaveProperty("idempotencyKey");
    expect((await api.call("GET", "/v1/history/tasks/no-such-task")).status).toBe(404);
    expect((await api.call("GET", "/v1/history/tasks/x", { token: null })).status).toBe(401);
  });
});
