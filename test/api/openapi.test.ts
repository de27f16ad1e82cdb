/**
 * The OpenAPI document is generated from the route table: it validates as
 * OpenAPI 3.1, it lists exactly what the server serves (a route added
 * without its schema would fail here), and the docs page shows every
 * operation with no script and no external resource.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startApi, type RunningApi } from "../../api/index.js";
import { configFromObject, homePrefix, redisTarget } from "../../core/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { API_AGENTS, call } from "./support.js";

describe("the OpenAPI document and the docs page", () => {
  let swarm: TestSwarm;
  let api: RunningApi;
  let document: Record<string, any>;

  beforeAll(async () => {
    swarm = await startTestSwarm(`${API_AGENTS}\napi: false\n`);
    const config = configFromObject(
      { ...(parseYaml(API_AGENTS) as object), api: { listen: "127.0.0.1:0" } },
      { file: join(swarm.home, "swarm.yaml"), baseDir: swarm.home },
    );
    api = await startApi({ home: swarm.home, prefix: homePrefix(swarm.home), target: redisTarget(swarm.paths), config });
    const reply = await call(api.url, null, "GET", "/openapi.json");
    expect(reply.status).toBe(200);
    document = reply.json;
  });
  afterAll(async () => {
    await api?.close();
    await swarm?.destroy();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it("lists every route the server serves, and nothing it does not", () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = api.served.map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(25);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it("gives every operation a unique id, a summary, its scope and its error answers", () => {
    const operations = Object.values(document.paths as Record<string, Record<string, any>>).flatMap((methods) => Object.values(methods));
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) {
      expect(op.summary, op.operationId).toBeTruthy();
      if (op.security.length > 0) {
        expect(["read", "submit", "control", "terminal"]).toContain(op["x-scope"]);
        expect(op.responses["401"], op.operationId).toBeTruthy();
        expect(op.responses["403"], op.operationId).toBeTruthy();
      }
    }
    const submit = document.paths["/v1/tasks"].post;
    expect(submit.requestBody.content["application/json"].schema).toMatchObject({ type: "object", required: ["task"], additionalProperties: false });
    expect(submit.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(["query:wait", "header:Idempotency-Key"]);
    expect(document.paths["/v1/tasks/{id}"].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(["path:id", "query:wait"]);
    expect(document.paths["/health"].get.security).toEqual([]);
  });

  it("renders /docs from the document: every operation, no script, nothing fetched from elsewhere", async () => {
    const page = await call(api.url, null, "GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    for (const path of Object.keys(document.paths)) expect(page.text).toContain(`<code>${path.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</code>`);
    expect(page.text).not.toMatch(/<script|src=|https?:\/\/(?!127\.0\.0\.1)/i);
  });

  it("writes where it listens to run/api.json", async () => {
    const run = JSON.parse(readFileSync(join(swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
    expect(run.url).toBe(api.url);
  });
});
