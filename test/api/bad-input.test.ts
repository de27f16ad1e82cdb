/**
 * Bad input at the HTTP edge: every refusal is a problem document naming
 * the field by its JSON pointer, and nothing is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiSwarm, type ApiSwarm } from "./support.js";
import { clientInternals } from "../../client/index.js";

describe("bad input to the API", () => {
  let api: ApiSwarm;
  beforeAll(async () => {
    api = await startApiSwarm();
  });
  afterAll(async () => api?.swarm.destroy());

  const taskCount = async () => clientInternals((await api.swarm.connect()).client).ledger.count();

  it("refuses malformed JSON with 400", async () => {
    const reply = await api.call("POST", "/v1/tasks", { body: '{"task": "echo hi",' });
    expect(reply.status).toBe(400);
    expect(reply.headers.get("content-type")).toContain("application/problem+json");
    expect(reply.json.errors[0]).toMatchObject({ pointer: "", in: "body", detail: expect.stringMatching(/^malformed JSON/) });
  });

  it("refuses unknown fields and wrong types, naming each", async () => {
    const reply = await api.call("POST", "/v1/tasks", { body: { task: "echo hi", agent: "alpha", timeout: "soon", sudo: true } });
    expect(reply.status).toBe(400);
    const pointers = reply.json.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["/timeout", "/sudo"]));
    expect(reply.json.errors.find((e: { pointer: string }) => e.pointer === "/sudo").detail).toBe("unknown field");
  });

  it("refuses NUL bytes anywhere in the body, in keys and in query strings, with the path", async () => {
    const before = await taskCount();
    const nul = await api.call("POST", "/v1/tasks", { body: { task: "mk\u0000fs /dev/sda", agent: "alpha" } });
    expect(nul.status).toBe(400);
    expect(nul.json.errors).toEqual([{ pointer: "/task", in: "body", detail: expect.stringContaining("NUL byte") }]);
    const key = await api.call("POST", "/v1/workflows/runs", { body: { example: "deploy-app", params: { "ver\u0000sion": "1" } } });
    expect(key.status).toBe(400);
    expect(key.json.errors[0].pointer).toBe("/params/ver\u0000sion");
    const query = await api.call("GET", "/v1/tasks?agent=al%00pha");
    expect(query.status).toBe(400);
    expect(query.json.errors[0]).toMatchObject({ pointer: "/agent", in: "query" });
    expect(await taskCount()).toBe(before);
  });

  it("takes every shipped example by the name the examples list gives it, and no name that could be a path", async () => {
    const listed = await api.call("GET", "/v1/workflows/examples");
    const names: string[] = listed.json.examples.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(["deploy-app", "deploy-app.shell"]));
    for (const example of names) {
      // This swarm has none of the examples' agents: each is refused for that (422), not for its name (400).
      const reply = await api.call("POST", "/v1/workflows/validate", { body: { example } });
      expect([example, reply.status]).toEqual([example, 422]);
    }
    for (const example of ["../secrets", ".hidden", "a/b", "deploy-app..shell", "deploy-app.shell.yaml"]) {
      expect([example, (await api.call("POST", "/v1/workflows/validate", { body: { example } })).status]).toEqual([example, 400]);
    }
  });

  it("refuses bytes that are not UTF-8 and lone surrogates instead of turning them into U+FFFD", async () => {
    const bytes = Buffer.concat([Buffer.from('{"task":"echo '), Buffer.from([0xff, 0xfe]), Buffer.from('","agent":"alpha"}')]);
    const invalid = await api.call("POST", "/v1/tasks", { body: bytes });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors[0].detail).toBe("the body is not valid UTF-8 (first bad byte at offset 14)");
    const surrogate = await api.call("POST", "/v1/tasks", { body: '{"task":"echo \\ud800","agent":"alpha"}' });
    expect(surrogate.status).toBe(400);
    expect(surrogate.json.errors[0]).toMatchObject({ pointer: "/task", detail: expect.stringContaining("lone UTF-16 surrogate") });
  });

  it("answers 413 for a body over the limit and for a task over 1 MiB, with the path", async () => {
    const before = await taskCount();
    const huge = await api.call("POST", "/v1/tasks", { body: { task: "x".repeat(3 * 1024 * 1024), agent: "alpha" } });
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ status: 413, title: "Payload too large" });
    const big = await api.call("POST", "/v1/tasks", { body: { task: `echo ${"x".repeat(1024 * 1024)}`, agent: "alpha" } });
    expect(big.status).toBe(413);
    expect(big.json.errors[0]).toMatchObject({ pointer: "/task", in: "body" });
    expect(await taskCount()).toBe(before);
  });

  it("refuses a bad Idempotency-Key header, an unknown query parameter and a malformed id", async () => {
    const header = await api.call("POST", "/v1/tasks", { body: { task: "echo hi", agent: "alpha" }, headers: { "idempotency-key": "has space" } });
    expect(header.status).toBe(400);
    expect(header.json.errors[0]).toMatchObject({ pointer: "/Idempotency-Key", in: "header" });
    const query = await api.call("GET", "/v1/tasks?limit=5&evil=1");
    expect(query.status).toBe(400);
    expect(query.json.errors[0]).toMatchObject({ pointer: "/evil", in: "query", detail: "unknown field" });
    const id = await api.call("GET", "/v1/tasks/..%2F..%2Fetc");
    expect(id.status).toBe(400);
    expect(id.json.errors[0]).toMatchObject({ pointer: "/id", in: "path" });
  });

  it("refuses a body that is not JSON, and an empty one", async () => {
    expect((await api.call("POST", "/v1/tasks", { body: "task=echo", headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(415);
    const empty = await api.call("POST", "/v1/tasks", { body: "" });
    expect(empty.status).toBe(400);
  });

  it("turns a policy refusal into a rejected task, and an unknown agent into a 400", async () => {
    const unknown = await api.call("POST", "/v1/tasks", { body: { task: "echo hi", agent: "nobody" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0]).toMatchObject({ pointer: "/agent", detail: expect.stringContaining("nobody") });
    const refused = await api.call("POST", "/v1/tasks", { body: { task: "rm -rf /", agent: "alpha" } });
    expect(refused.status).toBe(201);
    expect((await api.call("GET", `/v1/tasks/${refused.json.id}`)).json.status).toBe("rejected");
  });
});
