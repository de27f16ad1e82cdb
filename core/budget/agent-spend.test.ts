import { rmSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers/swarm.js";
import { ensureHome, type HomePaths } from "../home.js";
import { keys } from "../keys.js";
import { startEmbeddedRedis, stopEmbeddedRedis } from "../redis/index.js";
import { AgentSpend } from "./agent-spend.js";
import { periodOf } from "./period.js";

let paths: HomePaths;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  paths = ensureHome(tempHome());
  await startEmbeddedRedis(paths);
  redis = new Redis({ path: paths.redisSocket, maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  if (paths) await stopEmbeddedRedis(paths);
  if (paths) rmSync(paths.root, { recursive: true, force: true });
});

/** A store under a prefix of its own, so each test starts from nothing. */
function fresh(): AgentSpend {
  n += 1;
  return new AgentSpend(redis, keys(`t${n}`));
}

/** Now: a period's hash expires some days after the period, so the stored ones are of today. */
const NOW = Date.now();
const MARCH_14 = Date.UTC(2025, 2, 14, 15, 30);

describe("an agent's spend", () => {
  it("counts a task once, however often its end is counted", async () => {
    const spend = fresh();
    expect(await spend.count("coder", "day", "task-a", { usd: 0.25, tokens: 1200 }, NOW)).toEqual({ usd: 0.25, tokens: 1200 });
    expect(await spend.count("coder", "day", "task-a", { usd: 0.25, tokens: 1200 }, NOW)).toEqual({ usd: 0.25, tokens: 1200 });
    expect(await spend.count("coder", "day", "task-b", { usd: 0.5, tokens: 300 }, NOW)).toEqual({ usd: 0.75, tokens: 1500 });
    expect((await spend.read("coder", "day", NOW)).spend).toEqual({ usd: 0.75, tokens: 1500 });
  });

  it("adds tokens that come after the result (an amendment) exactly once", async () => {
    const spend = fresh();
    await spend.count("coder", "day", "task-a", { usd: 0.1, tokens: 0 }, NOW);
    expect(await spend.count("coder", "day", "task-a", { usd: 0.1, tokens: 900 }, NOW)).toEqual({ usd: 0.1, tokens: 900 });
    expect(await spend.count("coder", "day", "task-a", { usd: 0.1, tokens: 900 }, NOW)).toEqual({ usd: 0.1, tokens: 900 });
  });

  it("keeps each period and each agent apart, in UTC days, Monday weeks and months", async () => {
    const spend = fresh();
    const nextDay = NOW + 24 * 3600 * 1000;
    await spend.count("coder", "day", "t1", { usd: 1, tokens: 10 }, NOW);
    await spend.count("coder", "day", "t2", { usd: 2, tokens: 20 }, nextDay);
    await spend.count("tester", "day", "t3", { usd: 4, tokens: 40 }, NOW);
    expect((await spend.read("coder", "day", NOW)).spend).toEqual({ usd: 1, tokens: 10 });
    expect((await spend.read("coder", "day", nextDay)).spend).toEqual({ usd: 2, tokens: 20 });
    expect(periodOf("day", MARCH_14)).toMatchObject({ key: "2025-03-14", end: Date.UTC(2025, 2, 15) });
    expect(periodOf("week", MARCH_14)).toMatchObject({ key: "w2025-03-10", end: Date.UTC(2025, 2, 17) });
    expect(periodOf("month", MARCH_14)).toMatchObject({ key: "2025-03", end: Date.UTC(2025, 3, 1) });
    expect(await redis.ttl(keys(`t${n}`).spend("coder", periodOf("day", NOW).key))).toBeGreaterThan(24 * 3600);
  });

  it("applies an item's answer once, and only while that item is the period's ask", async () => {
    const spend = fresh();
    await spend.count("coder", "day", "t1", { usd: 0, tokens: 50 }, NOW);
    const period = periodOf("day", NOW);
    expect(await spend.claimItem("coder", period, "", "i-aaaaaa")).toBe(true);
    expect(await spend.claimItem("coder", period, "", "i-bbbbbb")).toBe(false);
    expect(await spend.apply("coder", period.key, "i-bbbbbb", { kind: "once" })).toBe("stale");
    expect(await spend.apply("coder", period.key, "i-aaaaaa", { kind: "once" })).toBe("applied");
    expect(await spend.apply("coder", period.key, "i-aaaaaa", { kind: "once" })).toBe("again");
    expect((await spend.read("coder", "day", NOW)).once).toBe(1);
    expect(await spend.takeOnce("coder", period)).toBe(true);
    expect(await spend.takeOnce("coder", period)).toBe(false);
    expect(await spend.claimItem("coder", period, "i-aaaaaa", "i-cccccc")).toBe(true);
    expect(await spend.apply("coder", period.key, "i-cccccc", { kind: "raise", raised: { tokens: 80 } })).toBe("applied");
    expect(await spend.read("coder", "day", NOW)).toMatchObject({ raised: { tokens: 80 }, item: "i-cccccc", applied: "i-cccccc", stopped: false });
  });

  it("writes nothing for a period nobody spent in (no hash left without an expiry)", async () => {
    const spend = fresh();
    const period = periodOf("day", NOW);
    expect(await spend.claimItem("coder", period, "", "i-aaaaaa")).toBe(false);
    await spend.giveOnce("coder", period);
    expect(await redis.exists(keys(`t${n}`).spend("coder", period.key))).toBe(0);
  });
});
