/**
 * The task resource against a real swarm: submit, long-poll, result, list
 * with filters and pages, cancel, idempotency, and the audit record every
 * mutation leaves on the event stream.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/wait.js";
import { startApiSwarm, type ApiSwarm } from "./support.js";

describe("the task API", () => {
  let api: ApiSwarm;
  beforeAll(async () => {
    api = await startApiSwarm();
  });
  afterAll(async () => api?.swarm.destroy());

  it("submits a task (201, Location) and long-polls its result until it ends", async () => {
    const submitted = await api.call("POST", "/v1/tasks", { body: { task: "echo hello from the api", agent: "beta" } });
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ agent: "beta", routedBy: "explicit", created: true });
    expect(submitted.headers.get("location")).toBe(`/v1/tasks/${submitted.json.id}`);

    const done = await api.call("GET", `/v1/tasks/${submitted.json.id}?wait=30`);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      id: submitted.json.id,
      status: "completed",
      exitCode: 0,
      output: "hello from the api\n",
      task: "echo hello from the api",
    });

    const result = await api.call("GET", `/v1/tasks/${submitted.json.id}/result`);
    expect(result.json).toMatchObject({ status: "completed", output: "hello from the api\n" });
    expect(result.json.task).toBeUndefined();
  });

  it("answers a long-poll after ?wait= seconds with the task still running", async () => {
    const { json } = await api.call("POST", "/v1/tasks", { body: { task: "sleep 5", agent: "alpha" } });
    const started = Date.now();
    const polled = await api.call("GET", `/v1/tasks/${json.id}?wait=1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(polled.json.status).toMatch(/queued|running/);
    const cancelled = await api.call("POST", `/v1/tasks/${json.id}/cancel`);
    expect(cancelled.json).toMatchObject({ id: json.id, cancelled: true });
    expect((await api.call("GET", `/v1/tasks/${json.id}?wait=20`)).json.status).toBe("cancelled");
  });

  it("routes a task that names no agent, as the CLI does", async () => {
    const { json } = await api.call("POST", "/v1/tasks", { body: { task: "echo run the test suite" } });
    expect(json).toMatchObject({ agent: "beta", routedBy: expect.stringContaining("test") });
  });

  it("returns the same task for a repeated Idempotency-Key and body, and 409 for a different body", async () => {
    const headers = { "idempotency-key": "build-42" };
    const first = await api.call("POST", "/v1/tasks", { body: { task: "echo once", agent: "alpha" }, headers });
    const again = await api.call("POST", "/v1/tasks", { body: { agent: "alpha", task: "echo once" }, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, created: false });
    const other = await api.call("POST", "/v1/tasks", { body: { task: "echo twice", agent: "alpha" }, headers });
    expect(other.status).toBe(409);
    expect(other.headers.get("content-type")).toContain("application/problem+json");
    expect(other.json).toMatchObject({ status: 409, title: "Conflict", detail: expect.stringContaining("build-42") });
  });

  it("lists tasks newest first, filtered by agent and status, in pages that neither repeat nor skip", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await api.call("POST", "/v1/tasks", { body: { task: `echo page-${i}`, agent: "beta" } })).json.id);
    for (const id of ids) await api.call("GET", `/v1/tasks/${id}?wait=30`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { tasks: { id: string; agent: string; status: string }[]; nextCursor: string | null } } = await api.call(
        "GET",
        `/v1/tasks?agent=beta&status=completed&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.json.tasks.length).toBeLessThanOrEqual(3);
      for (const task of page.json.tasks) expect(task).toMatchObject({ agent: "beta", status: "completed" });
      seen.push(...page.json.tasks.map((t) => t.id));
      cursor = page.json.nextCursor;
      // A task submitted between pages lands before the cursor: it must not shift the pages.
      if (cursor && seen.length === 3) await api.call("POST", "/v1/tasks", { body: { task: "echo meanwhile", agent: "beta" } });
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 7)).toEqual([...ids].reverse());
  });

  it("answers 404 with a problem document for an unknown task", async () => {
    const reply = await api.call("GET", "/v1/tasks/nosuchtask-000000");
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ status: 404, title: "Not found" });
  });

  it("records every mutation on the event stream with the token's name and interface api", async () => {
    const { json } = await api.call("POST", "/v1/tasks", { body: { task: "echo audited", agent: "alpha" } });
    const audit = await api.swarm.connect().then(async (client) => {
      for (let i = 0; i < 40; i++) {
        const events = (await client.client.events.recent(200)) as unknown as Record<string, string>[];
        const found = events.find((e) => e.type === "audit" && e.target === json.id);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    });
    expect(audit).toMatchObject({ actor: "default", via: "api", interface: "api", action: "submitTask", code: "201" });
    // In the history's audit log: the task's submission by the token, through the API, and the request itself.
    type Entry = { action: string; actor: string; via: string; target: string | null; details: Record<string, string> | null };
    const entries = await waitFor("the API's entries in the audit log", () => {
      const listed = JSON.parse(api.swarm.cli(["audit", "--since", "1h", "--json", "--limit", "1000"]).stdout) as { entries: Entry[] };
      const mine = listed.entries.filter((e) => e.target === json.id);
      return mine.length >= 2 ? mine : null;
    });
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "task.submit", actor: "default", via: "api" }),
        expect.objectContaining({ action: "submitTask", actor: "default", via: "api", details: { code: "201" } }),
      ]),
    );
  });

  it("shows the API's address in `status`", () => {
    const status = api.swarm.cli(["status"]);
    expect(status.stdout).toContain(`api: ${api.url}`);
    expect(JSON.parse(api.swarm.cli(["status", "--json"]).stdout).api).toEqual({ url: api.url });
  });

  it("carries the task's flight recording (castFile) on the task and its result, and documents every field it answers", async () => {
    const { json } = await api.call("POST", "/v1/tasks", { body: { task: "echo recorded", agent: "alpha" } });
    const result = await api.call("GET", `/v1/tasks/${json.id}/result?wait=30`);
    expect(result.json.status).toBe("completed");
    expect(result.json.castFile).toBe(join(api.swarm.paths.outputDir, `${json.id}.cast`));
    expect(existsSync(result.json.castFile)).toBe(true);
    const task = await api.call("GET", `/v1/tasks/${json.id}`);
    expect(task.json.castFile).toBe(result.json.castFile);
    const document = (await api.call("GET", "/openapi.json")).json;
    for (const [path, reply] of [
      ["/v1/tasks/{id}", task],
      ["/v1/tasks/{id}/result", result],
    ] as const) {
      const schema = document.paths[path].get.responses["200"].content["application/json"].schema;
      expect(schema.properties.castFile, path).toMatchObject({ type: "string" });
      expect(
        Object.keys(reply.json).filter((field) => !(field in schema.properties)),
        path,
      ).toEqual([]);
    }
  });
});
