/**
 * The event hub against a real redis-server: in a burst, subscribers get
 * the events in batches (the first at once, the rest together after the
 * hub's pause), a full batch is read on without pausing, every event arrives
 * once and in order, and every unfiltered subscriber is handed the same
 * batch, whose SSE frames are therefore built once.
 */
import { rmSync } from "node:fs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { framesOf } from "../../api/events/sse.js";
import { EventHub } from "../../api/events/hub.js";
import { createRedis, homePaths, redisTarget, startEmbeddedRedis, stopEmbeddedRedis, type HomePaths, type SwarmEvent } from "../../core/index.js";
import { tempHome } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

const KEY = "hub-test:events";
/** Long enough that adding the burst one event at a time ends well inside the pause, even on a loaded machine. */
const PAUSE_MS = 3000;

describe("the event hub", () => {
  let home: string;
  let paths: HomePaths;
  let redis: Redis;
  let hub: EventHub;

  beforeAll(async () => {
    home = tempHome();
    paths = homePaths(home);
    await startEmbeddedRedis(paths);
    redis = createRedis(redisTarget(paths, {}));
    await redis.xadd(KEY, "*", "type", "before");
    hub = new EventHub(createRedis(redisTarget(paths, {}), { worker: true }), redis, KEY, PAUSE_MS);
    await hub.start();
  });
  afterAll(async () => {
    await hub?.close();
    redis?.disconnect();
    if (paths) await stopEmbeddedRedis(paths);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const subscribe = (filter: { type?: string } = {}) => {
    const batches: (readonly SwarmEvent[])[] = [];
    const subscription = hub.subscribe(filter, undefined, { events: (events) => batches.push(events), gap: () => undefined, end: () => undefined });
    return { batches, subscription, ids: () => batches.flat().map((e) => e.id) };
  };

  it("delivers a burst as the first event at once, then the rest together, to every subscriber", async () => {
    const all = subscribe();
    const other = subscribe();
    const flood = subscribe({ type: "flood" });
    const ids = [await redis.xadd(KEY, "*", "type", "burst", "n", "0")];
    await waitFor("the first event", () => all.batches.length === 1);
    for (let n = 1; n < 50; n++) ids.push(await redis.xadd(KEY, "*", "type", "burst", "n", String(n)));
    await waitFor("the rest of the burst", () => all.ids().length === ids.length, { timeoutMs: 20_000 });
    expect(all.batches.map((batch) => batch.length)).toEqual([1, 49]);
    expect(all.ids()).toEqual(ids);
    expect(other.ids()).toEqual(ids);
    // The same array for both: the SSE frames of a batch are built once for every client.
    expect(other.batches[1]).toBe(all.batches[1]);
    expect(framesOf(other.batches[1]!)).toBe(framesOf(all.batches[1]!));
    expect(framesOf(all.batches[0]!).toString()).toBe(`id: ${ids[0]}\nevent: burst\ndata: ${JSON.stringify({ id: ids[0], type: "burst", n: "0" })}\n\n`);
    expect(flood.batches).toEqual([]);
    for (const s of [all, other, flood]) s.subscription.close();
  }, 60_000);

  it("reads on without pausing while full batches wait, and a filtered subscriber gets only its events", async () => {
    const all = subscribe();
    const flood = subscribe({ type: "flood" });
    const first = await redis.xadd(KEY, "*", "type", "burst", "n", "first");
    await waitFor("the first event", () => all.batches.length === 1);
    // 2,500 events while the hub pauses: after the pause it reads 1,000, 1,000 and 500 in a row.
    const pipeline = redis.pipeline();
    for (let n = 0; n < 2500; n++) pipeline.xadd(KEY, "*", "type", n % 2 ? "flood" : "burst", "n", String(n));
    const ids = [first, ...((await pipeline.exec()) ?? []).map(([, id]) => id as string)];
    await waitFor("the whole flood", () => all.ids().length === ids.length, { timeoutMs: 20_000 });
    expect(all.batches.map((batch) => batch.length)).toEqual([1, 1000, 1000, 500]);
    expect(all.ids()).toEqual(ids);
    expect(flood.ids()).toEqual(ids.filter((_, i) => i > 0 && (i - 1) % 2 === 1));
    for (const s of [all, flood]) s.subscription.close();
  }, 60_000);
});
