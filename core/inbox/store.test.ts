import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateRedis, type PrivateRedis } from "../../test/helpers/private-redis.js";
import { NotFoundError, UsageError } from "../errors.js";
import { BUDGET_QUESTIONS } from "../budget/index.js";
import { checkAnswer } from "./answers.js";
import { InboxStore } from "./store.js";
import type { InboxItem, NewInboxItem } from "./types.js";

let server: PrivateRedis;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  server = await startPrivateRedis("inbox");
  redis = server.redis;
});
afterAll(() => server?.close());

function fresh(): InboxStore {
  n += 1;
  return new InboxStore(redis, `t${n}`, `t${n}:events`);
}

const source = { type: "workflow", executionId: "e1", workflow: "deploy", step: "approve" } as const;
const approval = (id: string, extra: Partial<NewInboxItem> = {}): NewInboxItem => ({
  id,
  kind: "approval",
  title: "deploy/approve: Ship it?",
  text: "Ship it?",
  source,
  ...extra,
});
const input: NewInboxItem = {
  id: "i-input1",
  kind: "input",
  title: "provision/requirements",
  text: "Tell us what to deploy",
  source: { ...source, step: "requirements" },
  questions: [
    { name: "app", prompt: "What?", choices: ["nginx", "redis"], required: true },
    { name: "port", prompt: "Port?", pattern: "[0-9]{2,5}", default: "8080", required: true },
    { name: "note", prompt: "Anything else?", required: false },
  ],
};

async function events(store: InboxStore, prefix: string): Promise<string[]> {
  void store;
  const entries = (await redis.xrange(`${prefix}:events`, "-", "+")) as [string, string[]][];
  return entries.map(([, f]) => `${f[f.indexOf("type") + 1]}:${f[f.indexOf("item") + 1]}`);
}

describe("the inbox store", () => {
  it("opens an item once, with one inbox.opened event, however often it is opened", async () => {
    const store = fresh();
    const first = await store.open(approval("i-aaaaaa"));
    const again = await store.open(approval("i-aaaaaa", { title: "changed" }));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, item: { title: "deploy/approve: Ship it?", status: "open" } });
    expect(await events(store, `t${n}`)).toEqual(["inbox.opened:i-aaaaaa"]);
    expect((await store.list()).map((i) => i.id)).toEqual(["i-aaaaaa"]);
    expect(await store.openCount()).toBe(1);
  });

  it("records an answer exactly once: a second answer is refused and says who answered first", async () => {
    const store = fresh();
    await store.open(approval("i-bbbbbb"));
    const answers = await Promise.allSettled([
      store.answer("i-bbbbbb", { decision: "approve", by: "ann" }),
      store.answer("i-bbbbbb", { decision: "deny", by: "bob" }),
    ]);
    expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const refused = answers.find((a) => a.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(UsageError);
    expect(String(refused.reason.message)).toMatch(/^inbox item i-bbbbbb was already answered at .* by (ann|bob)$/);
    expect(await events(store, `t${n}`)).toEqual(["inbox.opened:i-bbbbbb", "inbox.answered:i-bbbbbb"]);
    expect(await store.list()).toEqual([]);
    expect((await store.list({ all: true }))[0]).toMatchObject({ status: "answered" });
    await expect(store.answer("i-nope00", { decision: "approve", by: "x" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps an item due when escalating it fails for a reason other than its being gone, and escalates it at the next sweep", async () => {
    const store = fresh();
    const now = Date.now();
    await store.open(approval("i-ffffff", { escalateAfterMs: 1000 }), now);
    const key = store.keys.item("i-ffffff");
    const text = (await redis.get(key))!;
    // A read that fails with a Redis error (here WRONGTYPE), as one fails while Redis is away.
    await redis.del(key);
    await redis.rpush(key, "x");
    expect(await store.escalateDue(now + 1000)).toEqual([]);
    expect(await redis.zscore(store.keys.due, "i-ffffff")).not.toBeNull();
    await redis.del(key);
    await redis.set(key, text);
    expect((await store.escalateDue(now + 2000)).map((i) => i.id)).toEqual(["i-ffffff"]);
    expect(await redis.zscore(store.keys.due, "i-ffffff")).toBeNull();
  });

  it("escalates an unanswered item once its time has come, once, and never an answered one", async () => {
    const store = fresh();
    const now = Date.now();
    await store.open(approval("i-cccccc", { escalateAfterMs: 1000 }), now);
    await store.open(approval("i-dddddd", { escalateAfterMs: 1000 }), now);
    await store.open(approval("i-eeeeee"), now);
    await store.answer("i-dddddd", { decision: "approve", by: "ann" });
    expect(await store.escalateDue(now + 999)).toEqual([]);
    const escalated = await store.escalateDue(now + 1000);
    expect(escalated.map((i) => i.id)).toEqual(["i-cccccc"]);
    expect(await store.escalateDue(now + 60_000)).toEqual([]);
    expect((await store.get("i-cccccc"))?.escalatedAt).toBe(new Date(now + 1000).toISOString());
    expect((await store.get("i-cccccc"))?.status).toBe("open");
    expect((await events(store, `t${n}`)).filter((e) => e.startsWith("inbox.escalated"))).toEqual(["inbox.escalated:i-cccccc"]);
  });

  it("withdraws an open item once and leaves an answered one alone; expire removes closed items past retention", async () => {
    const store = fresh();
    const now = Date.now();
    await store.open(approval("i-ffffff"), now);
    await store.open(approval("i-gggggg"), now);
    await store.answer("i-gggggg", { decision: "deny", reason: "not today", by: "ann" }, now);
    expect(await store.withdraw("i-ffffff", "execution cancelled", now)).toBe(true);
    expect(await store.withdraw("i-ffffff", "again", now)).toBe(false);
    expect(await store.withdraw("i-gggggg", "late", now)).toBe(false);
    expect((await store.get("i-gggggg"))?.answer).toEqual({ decision: "deny", reason: "not today", by: "ann" });
    expect(await store.expire(1000, now + 999)).toBe(0);
    expect(await store.expire(1000, now + 1000)).toBe(2);
    expect(await store.list({ all: true })).toEqual([]);
  });
});

describe("answers are checked against what the item asks", () => {
  const item = (spec: NewInboxItem): InboxItem => ({
    ...spec,
    status: "open",
    questions: spec.questions ?? [],
    createdAt: "",
    escalateAt: null,
    escalatedAt: null,
    answer: null,
    closedAt: null,
    reason: null,
  });

  it("an approval takes approve or deny (and their usual synonyms), nothing else", () => {
    expect(checkAnswer(item(approval("i-h")), { word: "approve", by: "a" })).toEqual({ decision: "approve", by: "a" });
    expect(checkAnswer(item(approval("i-h")), { word: "NO", reason: "r", by: "a" })).toEqual({ decision: "deny", reason: "r", by: "a" });
    expect(() => checkAnswer(item(approval("i-h")), { word: "maybe", by: "a" })).toThrow('cannot answer i-h: answer approve or deny, got "maybe"');
  });

  it("an input answer fills defaults, and names every unknown field, bad choice, mismatch and missing answer at once; a word answers the only (required) question", () => {
    expect(checkAnswer(item(input), { values: { app: "nginx" }, by: "a" })).toEqual({ values: { app: "nginx", port: "8080" }, by: "a" });
    expect(() => checkAnswer(item(input), { values: { app: "mysql", port: "80a", colour: "red" }, by: "a" })).toThrow(
      'cannot answer i-input1: unknown field "colour" (this item asks app, port, note); app: expected one of nginx, redis, got "mysql"; port: "80a" does not match [0-9]{2,5}',
    );
    expect(() => checkAnswer(item(input), { values: {}, by: "a" })).toThrow("app: an answer is required (What?)");
    expect(() => checkAnswer(item(input), { word: "nginx", by: "a" })).toThrow(
      "this item asks 3 questions (app, port, note): give them with --field NAME=VALUE or --json FILE",
    );
    const budget = item({ ...input, questions: BUDGET_QUESTIONS });
    expect(checkAnswer(budget, { word: "once", by: "a" })).toEqual({ values: { decision: "once" }, by: "a" });
    expect(checkAnswer(budget, { word: "raise", values: { tokens: "9000" }, by: "a" })).toEqual({ values: { decision: "raise", tokens: "9000" }, by: "a" });
    const single = item({ ...input, questions: [{ name: "app", prompt: "What?", required: true }] });
    expect(checkAnswer(single, { word: "a value; with $(punctuation)", by: "a" })).toEqual({ values: { app: "a value; with $(punctuation)" }, by: "a" });
  });
});
