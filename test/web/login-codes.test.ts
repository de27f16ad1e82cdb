/**
 * One-time login codes against a real swarm's Redis, and `claude-agent web`
 * where no API runs: what the browser tests do not reach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODE_TTL_MS, LoginCodes } from "../../api/index.js";
import type { Swarm } from "../../client/index.js";
import { startTestSwarm, type TestSwarm } from "../helpers/swarm.js";
import { clientInternals } from "../../client/index.js";

describe("one-time login codes", () => {
  let swarm: TestSwarm;
  let client: Swarm;
  let codes: LoginCodes;

  beforeAll(async () => {
    swarm = await startTestSwarm(); // api: false
    client = await swarm.connect();
    codes = new LoginCodes(clientInternals(client.client).redis, clientInternals(client.client).ledger.keys.prefix);
  });
  afterAll(async () => {
    await swarm?.destroy();
  });

  it("works once, typed in any case with or without its dashes, and lives 2 minutes", async () => {
    const { code, expiresAt } = await codes.create({ scopes: ["read", "terminal"], actor: "ann@host" });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(CODE_TTL_MS - 5000);
    expect(await codes.consume(code.toLowerCase().replace(/-/g, ""))).toEqual({ scopes: ["read", "terminal"], actor: "ann@host" });
    expect(await codes.consume(code)).toBeNull();
  });

  it("refuses an expired code, a malformed one and one never issued, and stores no code in clear", async () => {
    const { code } = await codes.create({ scopes: ["read"], actor: "ann@host" }, 200);
    const keys = await clientInternals(client.client).redis.keys(`${clientInternals(client.client).ledger.keys.prefix}:web:code:*`);
    expect(keys.some((key) => key.includes(code))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await codes.consume(code)).toBeNull();
    expect(await codes.consume("not a code")).toBeNull();
    expect(await codes.consume("0000-0000-0000")).toBeNull();
  });

  it("refuses unknown or no scopes when a code is made", async () => {
    await expect(codes.create({ scopes: ["root"], actor: "x" })).rejects.toThrow(/unknown scope "root"/);
    await expect(codes.create({ scopes: [], actor: "x" })).rejects.toThrow(/at least one scope/);
  });

  it("claude-agent web says the API is not running (exit 3) when the swarm runs without one", () => {
    const result = swarm.cli(["web", "--no-open"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("HTTP API is not running");
    expect(result.stdout).toBe("");
  });
});
