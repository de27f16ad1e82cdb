/**
 * Who may do what: bearer tokens (stored hashed, shown once), scopes, 401s
 * that leak nothing, 403 for a missing scope, per-token rate limits, the
 * first token written at the first `up`, CORS closed by default.
 */
import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiSwarm, type ApiSwarm } from "./support.js";
import { waitFor } from "../helpers/wait.js";
import { clientInternals } from "../../client/index.js";

const RATE_LIMIT = 25;

describe("API authentication and authorisation", () => {
  let api: ApiSwarm;
  beforeAll(async () => {
    api = await startApiSwarm(`api:\n  listen: 127.0.0.1:0\n  rate_limit: ${RATE_LIMIT}\n`);
  });
  afterAll(async () => api?.swarm.destroy());

  const createToken = (...args: string[]) => {
    const created = api.swarm.cli(["api", "token", "create", ...args, "--json"]);
    expect(created.exitCode, created.stderr).toBe(0);
    return JSON.parse(created.stdout) as { token: string; name: string; id: string; scopes: string[] };
  };

  it("writes the first token at the first up, mode 0600, and keeps it across restarts", async () => {
    const file = join(api.swarm.home, "api.token");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(api.token).toMatch(/^cat_[A-Za-z0-9_-]{43}$/);
    await api.swarm.kill9();
    await api.swarm.start();
    expect(readFileSync(file, "utf8").trim()).toBe(api.token);
    const run = JSON.parse(readFileSync(join(api.swarm.paths.runDir, "api.json"), "utf8")) as { url: string };
    expect((await fetch(`${run.url}/v1/status`, { headers: { authorization: `Bearer ${api.token}` } })).status).toBe(200);
    // The restarted daemon may listen elsewhere (port 0): later tests use the new address.
    Object.assign(api, { url: run.url, call: (m: string, p: string, o = {}) => import("./support.js").then((s) => s.call(run.url, api.token, m, p, o)) });
  });

  it("answers a missing, malformed, unknown or revoked token with the same bare 401", async () => {
    const doomed = createToken("--name", "doomed");
    expect((await api.call("GET", "/v1/status", { token: doomed.token })).status).toBe(200);
    expect(api.swarm.cli(["api", "token", "revoke", "doomed"]).exitCode).toBe(0);
    await waitFor("the revocation to take effect", async () => (await api.call("GET", "/v1/status", { token: doomed.token })).status === 401, {
      timeoutMs: 3000,
    });

    const replies = await Promise.all([
      api.call("GET", "/v1/tasks", { token: null }),
      api.call("GET", "/v1/tasks", { token: null, headers: { authorization: "Basic dXNlcjpwYXNz" } }),
      api.call("GET", "/v1/tasks", { token: `cat_${"A".repeat(43)}` }),
      api.call("GET", "/v1/tasks", { token: "not-even-a-token" }),
      api.call("GET", "/v1/tasks", { token: doomed.token }),
      api.call("POST", "/v1/tasks", { token: null, body: { task: "echo no" } }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="claude-agent"');
      expect(reply.text).toBe(replies[0]!.text);
    }
    expect(replies[0]!.json).toEqual({ type: "about:blank", title: "Unauthorized", status: 401 });
  });

  it("refuses a mutation to a read-only token with 403 naming the scope, and lets it read", async () => {
    const reader = createToken("--name", "reader", "--read-only");
    expect(reader.scopes).toEqual(["read"]);
    expect((await api.call("GET", "/v1/agents", { token: reader.token })).status).toBe(200);
    const refused = await api.call("POST", "/v1/tasks", { token: reader.token, body: { task: "echo not allowed", agent: "alpha" } });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ status: 403, detail: 'this token lacks the "submit" scope' });
    const tasks = await api.call("GET", "/v1/tasks?limit=500");
    expect(tasks.json.tasks.some((t: { task: string }) => t.task === "echo not allowed")).toBe(false);
  });

  it("keeps scopes apart: a submit-only token cannot cancel or pause", async () => {
    const submitter = createToken("--name", "submitter", "--scope", "read,submit");
    const { json } = await api.call("POST", "/v1/tasks", { token: submitter.token, body: { task: "sleep 3", agent: "beta" } });
    expect((await api.call("POST", `/v1/tasks/${json.id}/cancel`, { token: submitter.token })).status).toBe(403);
    expect((await api.call("POST", "/v1/agents/beta/pause", { token: submitter.token })).status).toBe(403);
    expect((await api.call("POST", `/v1/tasks/${json.id}/cancel`)).status).toBe(200);
  });

  it("stores tokens only as hashes and never lists them", async () => {
    const secret = createToken("--name", "secret-holder");
    const client = await api.swarm.connect();
    const stored =
      JSON.stringify(await clientInternals(client.client).redis.hgetall("ca:api:tokens")) +
      JSON.stringify(await clientInternals(client.client).redis.hgetall("ca:api:token-names"));
    expect(stored).not.toContain(secret.token);
    expect(stored).not.toContain(secret.token.slice(4, 30));
    const list = api.swarm.cli(["api", "token", "list", "--json"]);
    expect(list.stdout).not.toContain(secret.token);
    expect(JSON.parse(list.stdout).map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["default", "secret-holder"]));
    expect(api.swarm.cli(["api", "token", "create", "--name", "secret-holder"]).exitCode).toBe(2);
    expect(api.swarm.cli(["api", "token", "create", "--name", "x", "--scope", "root"]).stderr).toContain('unknown scope "root"');
  });

  it("limits each token's requests per minute with 429 and Retry-After, without touching other tokens", async () => {
    const busy = createToken("--name", "busy");
    const replies = await Promise.all(Array.from({ length: RATE_LIMIT + 5 }, () => api.call("GET", "/v1/queues", { token: busy.token })));
    const limited = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(RATE_LIMIT);
    expect(limited).toHaveLength(5);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited[0]!.json).toMatchObject({ status: 429, title: "Too many requests" });
    expect((await api.call("GET", "/v1/queues")).status).toBe(200);
    // Health checks poll: never limited.
    const health = await Promise.all(Array.from({ length: RATE_LIMIT + 5 }, () => api.call("GET", "/health", { token: null })));
    expect(health.filter((r) => r.status === 429)).toEqual([]);
  });

  it("keeps CORS closed: no Access-Control-Allow-Origin for a foreign page, and no preflight", async () => {
    const origin = { origin: "https://evil.example" };
    const get = await api.call("GET", "/v1/status", { headers: origin });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await api.call("OPTIONS", "/v1/tasks", { token: null, headers: { ...origin, "access-control-request-method": "POST" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.status).toBe(404);
  });
});
