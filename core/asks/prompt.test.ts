import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateRedis, type PrivateRedis } from "../../test/helpers/private-redis.js";
import { taskRecord } from "../../test/helpers/task-record.js";
import { UsageError } from "../errors.js";
import { checkAnswer, InboxStore, sourceLabel, type InboxItem } from "../inbox/index.js";
import { keys as makeKeys } from "../keys.js";
import { Ledger } from "../ledger.js";
import type { TaskRecord } from "../protocol.js";
import { makeRedactor } from "../redact.js";
import { PromptAsks, promptDialogId } from "./prompt.js";
import { answerPromptAsk, promptAskItem, promptChoiceAnswer, promptQuestionItem, type PromptAskSpec, type PromptQuestionSpec } from "./prompt-item.js";

let server: PrivateRedis;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  server = await startPrivateRedis("prompt-asks");
  redis = server.redis;
});

afterAll(() => server?.close());

function prefix(): string {
  n += 1;
  return `p${n}`;
}

const SECRET = "hunter2-but-longer-0000";
const spec: PromptAskSpec = {
  id: "i-prompt",
  agent: "coder",
  session: "coder-1",
  taskId: "t-1",
  tool: "Bash",
  detail: `curl -H "Authorization: ${SECRET}" https://example.com`,
  question: "permission to use Bash: curl …",
  excerpt: `● Bash(curl -H "Authorization: ${SECRET}")\nDo you want to proceed?\n❯ 1. Yes\n  4. No`,
  approveOption: "1. Yes",
  denyOption: "4. No",
};

function record(id: string, status: TaskRecord["status"]): TaskRecord {
  return taskRecord({ id, status, session: "coder-1", attempts: 1, task: "Write the proof file" });
}

describe("a session's permission prompt record", () => {
  it("keeps the item of the same dialog, replaces another dialog's, and is cleared only by its own dialog", async () => {
    const asks = new PromptAsks(redis, makeKeys(prefix()));
    const first = promptDialogId("t-1", 1000);
    expect(await asks.claim({ session: "coder-1", dialog: first, taskId: "t-1", question: "q1" }, "i-aaaaaa")).toBe("i-aaaaaa");
    // A restarted bridge claiming the same dialog gets the item it opened before.
    expect(await asks.claim({ session: "coder-1", dialog: first, taskId: "t-1", question: "q1" }, "i-bbbbbb")).toBe("i-aaaaaa");
    const second = promptDialogId("t-1", 2000);
    expect(await asks.claim({ session: "coder-1", dialog: second, taskId: "t-1", question: "q2" }, "i-cccccc")).toBe("i-cccccc");
    await asks.clear("coder-1", first);
    expect(await asks.get("coder-1")).toEqual({ session: "coder-1", dialog: second, item: "i-cccccc", taskId: "t-1", question: "q2" });
    await asks.clear("coder-1", second);
    expect(await asks.get("coder-1")).toBeNull();
  });
});

describe("a permission prompt's inbox item", () => {
  it("says who asks what, with the pane's lines, redacted by the swarm's redactor", () => {
    const item = promptAskItem(spec, makeRedactor([SECRET]));
    expect(item).toMatchObject({ id: "i-prompt", kind: "approval", source: { type: "prompt", agent: "coder", session: "coder-1", taskId: "t-1" } });
    expect(item.title).toBe('agent coder asks: Bash(curl -H "Authorization: [redacted]" https://example.com)');
    expect(item.text).toContain("Do you want to proceed?\n    ❯ 1. Yes");
    expect(item.text).toContain('deny presses "4. No"');
    expect(JSON.stringify(item)).not.toContain(SECRET);
    expect(sourceLabel(item.source)).toBe("prompt of agent coder in coder-1 (task t-1)");
  });

  it("records an answer while its task runs, and withdraws the item instead once the task has ended", async () => {
    const p = prefix();
    const inbox = new InboxStore(redis, p, `${p}:events`);
    const ledger = new Ledger(redis, p);
    await ledger.create(record("t-run", "running"));
    await ledger.create(record("t-end", "cancelled"));
    const running = (await inbox.open(promptAskItem({ ...spec, id: "i-runnin", taskId: "t-run" }, makeRedactor()))).item;
    const ended = (await inbox.open(promptAskItem({ ...spec, id: "i-endedd", taskId: "t-end" }, makeRedactor()))).item;

    await answerPromptAsk({ inbox, ledger }, running, { decision: "deny", reason: "not now", by: "ann" });
    expect(await inbox.get("i-runnin")).toMatchObject({ status: "answered", answer: { decision: "deny", reason: "not now", by: "ann" } });

    const late = answerPromptAsk({ inbox, ledger }, ended, { decision: "approve", by: "ann" });
    await expect(late).rejects.toBeInstanceOf(UsageError);
    await expect(late).rejects.toThrow("inbox item i-endedd no longer applies: task t-end has ended (cancelled)");
    expect(await inbox.get("i-endedd")).toMatchObject({ status: "withdrawn", reason: "task t-end has ended (cancelled)" });
  });
});

const question: PromptQuestionSpec = {
  id: "i-questn",
  agent: "coder",
  session: "coder-1",
  taskId: "t-1",
  header: "Database",
  question: `Which database? The password is ${SECRET}`,
  options: [
    { label: "Postgres", description: "relational" },
    { label: "SQLite", description: "" },
  ],
  excerpt: "❯ 1. Postgres\n  2. SQLite\n  3. Type something.",
};

/** The item as the store would hand it back, open. */
function opened(spec: PromptQuestionSpec): InboxItem {
  const item = promptQuestionItem(spec, makeRedactor([SECRET]));
  return {
    ...item,
    questions: item.questions ?? [],
    status: "open",
    createdAt: "",
    escalateAt: null,
    escalatedAt: null,
    answer: null,
    closedAt: null,
    reason: null,
  };
}

describe("a question's inbox item (AskUserQuestion)", () => {
  it("is an input item whose one field's choices are the options, with the question and options as redacted text", () => {
    const item = opened(question);
    expect(item).toMatchObject({ kind: "input", source: { type: "prompt", agent: "coder", session: "coder-1", taskId: "t-1" } });
    expect(item.questions).toEqual([{ name: "choice", prompt: "Which database? The password is [redacted]", choices: ["Postgres", "SQLite"], required: true }]);
    expect(item.text).toContain("  1. Postgres (relational)\n  2. SQLite\n");
    expect(item.text).toContain("claude-agent answer i-questn <1-2|label>");
    expect(JSON.stringify(item)).not.toContain(SECRET);
  });

  it("takes an option's number or its label in any case, and refuses anything else", () => {
    const item = opened(question);
    const check = (word: string) => checkAnswer(item, promptChoiceAnswer(item, { word, by: "ann" }));
    expect(check("2")).toEqual({ values: { choice: "SQLite" }, by: "ann" });
    expect(check(" postgres ")).toEqual({ values: { choice: "Postgres" }, by: "ann" });
    expect(checkAnswer(item, promptChoiceAnswer(item, { values: { choice: "1" }, by: "ann" }))).toEqual({ values: { choice: "Postgres" }, by: "ann" });
    for (const word of ["3", "0", "MySQL", "SQLite; rm -rf /"]) expect(() => check(word)).toThrow(UsageError);
  });

  it("leaves the answers of other items as they were given", () => {
    const approval = { ...opened(question), kind: "approval" as const };
    expect(promptChoiceAnswer(approval, { word: "2", by: "ann" })).toEqual({ word: "2", by: "ann" });
  });

  it("records an option on the item; approve or deny is refused", async () => {
    const p = prefix();
    const inbox = new InboxStore(redis, p, `${p}:events`);
    const ledger = new Ledger(redis, p);
    await ledger.create(record("t-q", "running"));
    const item = (await inbox.open(promptQuestionItem({ ...question, taskId: "t-q" }, makeRedactor()))).item;
    await expect(answerPromptAsk({ inbox, ledger }, item, { decision: "approve", by: "ann" })).rejects.toThrow("takes one of its options");
    await answerPromptAsk({ inbox, ledger }, item, { values: { choice: "SQLite" }, by: "ann" });
    expect(await inbox.get(item.id)).toMatchObject({ status: "answered", answer: { values: { choice: "SQLite" }, by: "ann" } });
  });
});
