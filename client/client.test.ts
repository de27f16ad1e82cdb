import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { SwarmConfig } from "../core/index.js";
import { clientInternals, SwarmClient } from "./index.js";

// Never connects: nothing here sends a command.
const redis = new Redis({ lazyConnect: true });
const config = { agents: [] } as unknown as SwarmConfig;

afterAll(() => redis.disconnect());

describe("SwarmClient's public surface (the SDK's)", () => {
  it("holds no Redis connection or ledger a caller can reach, in TypeScript or JavaScript", () => {
    const client = new SwarmClient(redis, config, () => redis, "ca-test");
    const open = client as unknown as Record<string, unknown>;
    expect(open.redis).toBeUndefined();
    expect(open.ledger).toBeUndefined();
    expect(Object.values(open)).not.toContain(redis);
  });

  it("gives them to this process's own parts through clientInternals", () => {
    const client = new SwarmClient(redis, config, () => redis, "ca-test");
    const internals = clientInternals(client);
    expect(internals.redis).toBe(redis);
    expect(internals.keys.prefix).toBe("ca-test");
    expect(internals.ledger.keys.task("t")).toBe("ca-test:task:t");
    expect(() => clientInternals({})).toThrow(/not a SwarmClient/);
  });

  it("is not exported by the package's entry (index.ts)", async () => {
    const sdk = await import("../index.js");
    expect(sdk).not.toHaveProperty("clientInternals");
    expect(sdk).not.toHaveProperty("SwarmClient");
  });
});
