/**
 * Usage figures that arrive after a task's result (Claude Code's token counts land in its
 * transcript after the Stop hook) are added to the ended record, on a real redis-server; the
 * recorded outcome itself never changes, and an open task is not touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisHome, type RedisHome } from "../history/support.js";

describe("ledger.amend", () => {
  let home: RedisHome;
  beforeAll(async () => {
    home = await startRedisHome();
  });
  afterAll(async () => {
    await home?.close();
  });

  const amendedEvents = async (id: string) =>
    (await home.redis.xrange("ca:events", "-", "+")).filter(([, fields]) => fields.includes("task.amended") && fields.includes(id));

  it("adds token counts to an ended task, with one task.amended event, keeping its outcome", async () => {
    const id = await home.submit("What is the answer?");
    await home.finish(id, "completed", "42\n");
    const before = await home.ledger.get(id);

    expect(await home.ledger.amend(id, { inputTokens: 120, outputTokens: 8, turns: 2 })).toBe(true);

    const after = await home.ledger.get(id);
    expect(after).toMatchObject({ status: "completed", exitCode: 0, finishedAt: before!.finishedAt, inputTokens: 120, outputTokens: 8, turns: 2 });
    expect(await amendedEvents(id)).toHaveLength(1);
  });

  it("never overwrites a figure already recorded", async () => {
    const id = await home.submit("count");
    await home.finish(id, "completed", "x\n");
    await home.ledger.amend(id, { inputTokens: 10 });

    expect(await home.ledger.amend(id, { inputTokens: 99 })).toBe(false);
    expect(await home.ledger.amend(id, { inputTokens: 99, outputTokens: 3 })).toBe(true);

    expect(await home.ledger.get(id)).toMatchObject({ inputTokens: 10, outputTokens: 3 });
    expect(await amendedEvents(id)).toHaveLength(2);
  });

  it("leaves a task that has not ended, and one that does not exist, untouched", async () => {
    const id = await home.submit("still queued");
    expect(await home.ledger.amend(id, { inputTokens: 5 })).toBe(false);
    expect((await home.ledger.get(id))?.inputTokens).toBeUndefined();
    expect(await amendedEvents(id)).toHaveLength(0);

    expect(await home.ledger.amend("mzzzzzz0-nothere", { inputTokens: 5 })).toBe(false);
    expect(await home.redis.exists("ca:task:mzzzzzz0-nothere")).toBe(0);
  });
});
